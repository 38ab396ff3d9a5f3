package main

import (
	"errors"
	"runtime"
	"strconv"
	"syscall"
)

// The Go runtime opens its poller on the first file or socket that
// package os or net opens, on the lowest free descriptors, and if it
// cannot, the process dies with a stack trace. At a tiny RLIMIT_NOFILE
// this program makes sure of the room first, and says what is missing.

// pollerFDs is how many descriptors the runtime's poller opens: an epoll
// and an eventfd on Linux; a kqueue on the BSDs, and on NetBSD and OpenBSD
// a pipe to wake it as well. Before Go 1.23, and in gccgo, every system
// wakes it with a pipe (poller_*.go).
func pollerFDs() int {
	if pollerWakesByPipe {
		return 2 + 1
	}
	switch runtime.GOOS {
	case "linux":
		return 2
	case "netbsd", "openbsd":
		return 3
	}
	return 1
}

// pollerStarted tells whether package os started the poller before main,
// as it does for a standard descriptor that is non-blocking.
func pollerStarted() bool {
	for fd := 0; fd <= 2; fd++ {
		if flags, err := statusFlags(fd); err == nil && flags&syscall.O_NONBLOCK != 0 {
			return true
		}
	}
	return false
}

// lookupRoom says whether a name lookup can go ahead: it opens one file
// or socket at a time, the first of them before the poller that it
// starts, and the listening socket needs a descriptor after it.
func lookupRoom() error {
	need, why := 1, ""
	if !pollerStarted() {
		need += pollerFDs()
		why = " (" + strconv.Itoa(pollerFDs()) + " for the Go runtime's poller)"
	}
	return room("looking up a name needs "+descriptors(need)+why, need, false)
}

// restartRoom says whether this program, restarted to hold the target
// descriptor, will have room for the poller that the new runtime starts
// before main when a standard descriptor is non-blocking, and then for
// one descriptor at a time: the environment file, a lookup's files, the
// socket. Descriptors that close on exec count as free. caller is the
// limit given back for the exec where this program raised it (gccgo's
// build, nofile.go): that runtime starts its poller under it, and the
// program raises the limit again only in main.
func restartRoom(caller *syscall.Rlimit) error {
	if !pollerStarted() {
		return nil
	}
	need := pollerFDs() + 1
	what := "restarting needs " + descriptors(need) + " (" + strconv.Itoa(pollerFDs()) + " for the new Go runtime's poller)"
	if caller != nil {
		if err := roomBelow(what, pollerFDs(), true, uint64(caller.Cur)); err != nil {
			return err
		}
	}
	return room(what, need, true)
}

// room counts, up to need, the descriptors below the soft RLIMIT_NOFILE
// that are free, or, with atExec, close on exec, and says what is
// missing.
func room(what string, need int, atExec bool) error {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return errors.New("getrlimit RLIMIT_NOFILE: " + err.Error())
	}
	return roomBelow(what, need, atExec, uint64(rl.Cur)) // int64 on some systems
}

// roomBelow is room below limit.
func roomBelow(what string, need int, atExec bool, limit uint64) error {
	free := freeBelow(need, limit, atExec)
	if free >= need {
		return nil
	}
	return errors.New(what + "; the limit of " + strconv.FormatUint(limit, 10) + " (RLIMIT_NOFILE) leaves " + strconv.Itoa(free))
}

func descriptors(n int) string {
	if n == 1 {
		return "1 free descriptor"
	}
	return strconv.Itoa(n) + " free descriptors"
}
