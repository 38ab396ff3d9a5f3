// Code generated from ../fds_bsd.go by make copies; DO NOT EDIT.

//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"runtime"
	"syscall"
)

// fdFlags is fcntl(fd, F_GETFD).
func fdFlags(fd int) (int, error) {
	if runtime.GOOS == "openbsd" {
		return openbsdFlags(fd)
	}
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// openbsdFlags stands in for F_GETFD, which OpenBSD 7.5 and later serve
// only through libc and package syscall does not export. It tells whether
// fd is open, and reports FD_CLOEXEC for a kqueue, which cannot have come
// from a parent, since no kqueue survives fork: it is the runtime's poller.
func openbsdFlags(fd int) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, err
	}
	if _, err := syscall.Kevent(fd, nil, nil, &syscall.Timespec{}); err == nil {
		return syscall.FD_CLOEXEC, nil
	}
	return 0, nil
}
