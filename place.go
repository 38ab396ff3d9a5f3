package main

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// reserve makes descriptor target ours before anything else can take it:
// resolving a name starts the runtime's poller, whose descriptors take
// the lowest free numbers. An inherited target is left to be replaced; a
// free one gets a close-on-exec placeholder. env is what a restart
// passes on, with the caller's RLIMIT_NOFILE (nofile.go).
func reserve(target int, env []string, caller *syscall.Rlimit) error {
	flags, err := fdFlags(target)
	switch {
	case err == syscall.EBADF:
		err = dupOnto(syscall.Stderr, target, true)
	case err == nil && flags&syscall.FD_CLOEXEC != 0:
		// Descriptors survive exec only without FD_CLOEXEC, so this one
		// was opened in this process, by the runtime before main: its
		// poller, when standard input or output was non-blocking, or a
		// cgroup file it failed to close.
		return restartHolding(target, env, caller)
	}
	if err != nil {
		return placeError(target, err)
	}
	return nil
}

// restartHolding execs this program afresh, same pid, arguments and
// environment, env, with the runtime's descriptor on target kept open
// across the exec: the new runtime cannot take target, which is then
// inherited and replaced like any other. It returns only on failure.
func restartHolding(target int, env []string, caller *syscall.Rlimit) error {
	held := "descriptor " + strconv.Itoa(target) + " is in use by the Go runtime"
	self, err := executable()
	if err != nil {
		return errors.New(held + ", and finding this program to restart: " + err.Error())
	}
	if err := keepOnExec(target); err != nil {
		return errors.New(held + ", and keeping it open across a restart: " + err.Error())
	}
	if err := restartRoom(caller); err != nil {
		return errors.New(held + ", and " + err.Error())
	}
	restoreOpenFiles(caller)
	err = syscall.Exec(self, os.Args, env)
	return errors.New(held + ", and restarting from " + quote(self) + ": " + err.Error())
}

// place puts the listening socket on target, replacing what is there in
// one step, and leaves it open across exec.
func place(fd, target int) error {
	if err := dupOnto(fd, target, false); err != nil {
		return placeError(target, err)
	}
	if err := syscall.Close(fd); err != nil {
		return placeError(target, err)
	}
	return nil
}

func placeError(target int, err error) error {
	return errors.New("placing socket on descriptor " + strconv.Itoa(target) + ": " + err.Error())
}
