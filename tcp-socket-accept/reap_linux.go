//go:build linux

package main

import (
	"syscall"
	"unsafe"
)

// On Linux the reaper learns which child has ended from waitid(2) with
// WNOWAIT, which leaves the child a zombie, its pid still taken; it
// collects it with wait4 only once it holds the children's lock, in the
// same hold as it forgets the pid. So no pid in the table is ever free
// for another process to be given, and a signal sent to one under the
// lock reaches that child or its zombie, never a stranger. Package
// syscall has no waitid on Linux: it is called directly.

// exited is a child that has ended, not yet collected.
type exited struct {
	pid int
}

// is64bit is 1 on 64-bit systems, 0 on 32-bit ones.
const is64bit = ^uint(0) >> 63

// siginfo is the kernel's siginfo_t, 128 bytes, as waitid fills it for a
// child and as package syscall declares it for its own use of waitid: the
// pid comes after three ints, aligned for a pointer.
type siginfo struct {
	signo int32
	_     [2]int32 // errno and code, swapped on MIPS
	_     [is64bit]int32
	pid   int32
	_     [128 - (4+is64bit)*4]byte
}

// waitid's idtypes: any child, or the one of an id.
const (
	pAll = 0
	pPid = 1
)

// awaitExit blocks until a child has ended, and names it.
func awaitExit() (exited, error) {
	pid, err := waitid(pAll, 0, syscall.WEXITED|syscall.WNOWAIT)
	if err != nil {
		return exited{}, err
	}
	return exited{pid: pid}, nil
}

// waitid is waitid(2) for the children of idtype and id, with options:
// the pid of one that has changed state, 0 (with WNOHANG) for none yet.
func waitid(idtype, id, options int) (int, error) {
	var si siginfo
	_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, uintptr(idtype), uintptr(id), uintptr(unsafe.Pointer(&si)), uintptr(options), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(si.pid), nil
}

// collect collects e's child, with the children's lock held, and returns
// how it ended; false if it is gone (a failed exec's child that
// syscall.ForkExec collected itself). WNOHANG, for by then the pid of such
// a child may belong to another process, still running. Only a child of a
// fork begun before the reaper held the forks (see ended) can have been
// given it; that fork has recorded its child by now, and if that child
// has ended too, it is the one collected, and rightly forgotten.
func (e exited) collect() (syscall.WaitStatus, bool) {
	var ws syscall.WaitStatus
	for {
		pid, err := syscall.Wait4(e.pid, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		return ws, err == nil && pid == e.pid
	}
}
