package main

import (
	"runtime"
	"strings"
	"syscall"
)

// spawn starts next-prog for the connection conn, found as execvp(3)
// finds it in path, afresh for each connection, so that a program
// installed while the server runs is found. path is the server's PATH,
// not env's: a rule of -x may give the child a PATH of its own, which,
// as in tcpserver, does not choose the program. The child gets conn as descriptors 0 and 1,
// the server's descriptor 2, and every other descriptor the server
// inherited; what the server opened itself is close-on-exec.
//
// syscall.ForkExec clones with CLONE_VFORK on Linux, which stays cheap
// however large the server (the BSDs and macOS really fork, and copy the
// server's page tables), and it leaves the child its signal dispositions
// at their defaults and its signal mask as the server's threads have it.
// Unlike os/exec it neither rewrites env nor needs a thread to wait.
// The error is the system's, as execvp(3) would leave it in errno.
func spawn(next []string, path string, env []string, conn int) (int, error) {
	attr := &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{uintptr(conn), uintptr(conn), 2},
	}
	var pid int
	// A name with a slash is tried alone: nothing to pass over.
	searched := !strings.Contains(next[0], "/")
	err := execvpSearch(next[0], path, func(file string) error {
		if searched {
			if err := missing(file); err != nil {
				return err
			}
		}
		var err error
		pid, err = syscall.ForkExec(file, next, attr)
		return err
	})
	return pid, err
}

// missing is ENOENT or ENOTDIR when stat(2) shows that exec would fail on
// file with that error, which the search passes over to the next element
// of PATH, and nil otherwise.
// A stat costs a hundredth of a fork whose exec fails (0.3 against 45 µs
// measured), and with a PATH such as Debian's a program in /usr/bin is
// found after three misses.
func missing(file string) error {
	var st syscall.Stat_t
	if err := syscall.Stat(file, &st); err == syscall.ENOENT || err == syscall.ENOTDIR {
		return err
	}
	return nil
}

// searchPath is the PATH that execvp(3) searches in env: its PATH, or
// defaultPath's when it has none.
func searchPath(env []string) string {
	if path, ok := getenv(env, "PATH"); ok {
		return path
	}
	return defaultPath(runtime.GOOS)
}
