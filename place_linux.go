//go:build linux

package main

import "syscall"

// What placing the socket needs of descriptors, per system (place.go,
// room.go).

// dupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func dupOnto(oldfd, newfd int, cloexec bool) error {
	flags := 0
	if cloexec {
		flags = syscall.O_CLOEXEC
	}
	return syscall.Dup3(oldfd, newfd, flags)
}

// keepOnExec clears fd's FD_CLOEXEC.
func keepOnExec(fd int) error {
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// executable names this program's file, even if it has been replaced
// or removed since it started.
func executable() (string, error) { return "/proc/self/exe", nil }

// statusFlags is fcntl(fd, F_GETFL).
func statusFlags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
