package main

import (
	"runtime"
	"syscall"
)

// Descriptors are handled through plain system calls: package os would
// start the runtime's poller on its first file, and the poller takes
// descriptors of its own, on the lowest free numbers, where the commands
// place or find their sockets.

// freeBelow counts the descriptors below limit that are free, or, with
// atExec, will be once exec has closed those that are close-on-exec; it
// stops at need, so that a huge limit costs no more than the descriptors
// open below the need'th free one.
func freeBelow(need int, limit uint64, atExec bool) int {
	free := 0
	for fd := uint64(0); fd < limit && free < need; fd++ {
		flags, err := fdFlags(int(fd))
		if err == syscall.EBADF || atExec && err == nil && flags&syscall.FD_CLOEXEC != 0 {
			free++
		}
	}
	return free
}

// readFile reads all of path. It costs only the one descriptor it reads
// through, closed on exec and before it returns.
func readFile(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	b := make([]byte, 0, 4096)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return nil, err
		case n == 0:
			return b, nil
		default:
			b = b[:len(b)+n]
		}
	}
}

// noMemProfile turns off the sampling of allocations for the memory
// profile, which nothing here reads. gc already leaves it off in a program
// that never asks for the profile; gccgo does not, and records a sampled
// allocation's stack with libbacktrace, which opens the executable: on
// a descriptor the commands need, and at a descriptor limit a fatal error.
func noMemProfile() {
	runtime.MemProfileRate = 0
}

// openStandardFDs opens /dev/null on each of descriptors 0, 1 and 2 that
// is closed, as the gc runtime does before main from Go 1.22 on: for the
// builds by older toolchains, so that next-prog, or a child, inherits the
// same three, and nothing of ours lands on a standard descriptor.
func openStandardFDs() {
	for fd := 0; fd <= 2; fd++ {
		if _, err := fdFlags(fd); err != syscall.EBADF {
			continue
		}
		// The lowest free descriptor, fd, since the ones below it are open.
		if _, err := syscall.Open("/dev/null", syscall.O_RDWR, 0); err != nil {
			return
		}
	}
}
