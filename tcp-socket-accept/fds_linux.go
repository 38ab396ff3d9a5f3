// Code generated from ../fds_linux.go by make copies; DO NOT EDIT.

//go:build linux

package main

import "syscall"

// fdFlags is fcntl(fd, F_GETFD).
func fdFlags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
