//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "syscall"

// On the BSDs and macOS package syscall offers neither waitid nor wait6
// (FreeBSD, NetBSD and DragonFly have the wait6 system call, with
// WNOWAIT, OpenBSD and macOS waitid), so the reaper waits in wait4 for
// any child, which collects it at once and frees its pid before the
// reaper takes the children's lock. In that moment a signal sent to every
// child can reach the pid, and so the process given it next; and a fork
// in progress can be given it for its own child. Either needs the system
// to hand out that pid again within microseconds: FreeBSD, DragonFly and
// macOS hand pids out in turn, and NetBSD from a free list that cycles
// through 2,000 and more, so only once all the others have been used
// (with kern.randompid, sooner); OpenBSD's are random, but never one of
// the last 128 freed. Linux closes the window (reap_linux.go).

// exited is a child that has ended, already collected.
type exited struct {
	pid int
	ws  syscall.WaitStatus
}

// awaitExit blocks until a child has ended, and collects it.
func awaitExit() (exited, error) {
	var e exited
	var err error
	e.pid, err = syscall.Wait4(-1, &e.ws, 0, nil)
	return e, err
}

// collect returns how e's child ended, collected already.
func (e exited) collect() (syscall.WaitStatus, bool) {
	return e.ws, true
}
