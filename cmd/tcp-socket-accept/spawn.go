package main

import (
	"errors"
	"syscall"
)

// spawn starts next-prog for the connection conn, found as execvp(3)
// finds it, afresh for each connection, so that a program installed while
// the server runs is found. The child gets conn as descriptors 0 and 1,
// the server's descriptor 2, and every other descriptor the server
// inherited; what the server opened itself is close-on-exec.
//
// syscall.ForkExec clones with CLONE_VFORK, which stays cheap however
// large the server, and it leaves the child its signal dispositions at
// their defaults and its signal mask as the server's threads have it.
// Unlike os/exec it neither rewrites env nor needs a thread to wait.
func spawn(next, env []string, conn int) (int, error) {
	attr := &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{uintptr(conn), uintptr(conn), 2},
	}
	var denied bool
	err := error(syscall.ENOENT)
	for _, file := range searchPath(next[0], env) {
		if next[0] == "" {
			break
		}
		if missing(file) {
			continue
		}
		var pid int
		pid, err = syscall.ForkExec(file, next, attr)
		if err == nil {
			return pid, nil
		}
		if !searchGoesOn(err) {
			break
		}
		denied = denied || err == syscall.EACCES
	}
	if denied && searchGoesOn(err) {
		err = syscall.EACCES
	}
	return 0, errors.New(quoted(next[0]) + ": " + err.Error())
}

// missing tells, without a fork, that exec would fail on file with ENOENT
// or ENOTDIR, which the search passes over.
func missing(file string) bool {
	var st syscall.Stat_t
	err := syscall.Stat(file, &st)
	return err == syscall.ENOENT || err == syscall.ENOTDIR
}
