//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"os"
	"runtime"
	"syscall"
)

// What placing the socket needs of descriptors, per system (place.go,
// room.go).

// dupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func dupOnto(oldfd, newfd int, cloexec bool) error {
	if err := syscall.Dup2(oldfd, newfd); err != nil {
		return err
	}
	if cloexec {
		syscall.CloseOnExec(newfd)
	}
	return nil
}

// keepOnExec clears fd's FD_CLOEXEC; OpenBSD serves fcntl only through
// libc, which package syscall does not export.
func keepOnExec(fd int) error {
	if runtime.GOOS == "openbsd" {
		return syscall.ENOSYS
	}
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func executable() (string, error) { return os.Executable() }

// statusFlags is fcntl(fd, F_GETFL), which OpenBSD serves only through
// libc.
func statusFlags(fd int) (int, error) {
	if runtime.GOOS == "openbsd" {
		return 0, syscall.ENOSYS
	}
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
