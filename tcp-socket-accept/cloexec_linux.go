//go:build linux

package main

import "syscall"

// closeOnExec sets fd's FD_CLOEXEC, reporting a failure that
// syscall.CloseOnExec would drop.
func closeOnExec(fd int) error {
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
	if errno != 0 {
		return errno
	}
	return nil
}
