//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"runtime"
	"syscall"
)

// closeOnExec sets fd's FD_CLOEXEC. OpenBSD forbids the raw fcntl
// system call; the libc-backed syscall.CloseOnExec reports nothing.
func closeOnExec(fd int) error {
	if runtime.GOOS == "openbsd" {
		syscall.CloseOnExec(fd)
		return nil
	}
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
	if errno != 0 {
		return errno
	}
	return nil
}
