//go:build linux

package fds

import "syscall"

// DupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func DupOnto(oldfd, newfd int, closeOnExec bool) error {
	flags := 0
	if closeOnExec {
		flags = syscall.O_CLOEXEC
	}
	return syscall.Dup3(oldfd, newfd, flags)
}

// CloseOnExec sets fd's FD_CLOEXEC, reporting a failure that
// syscall.CloseOnExec would drop.
func CloseOnExec(fd int) error {
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, syscall.FD_CLOEXEC)
	if errno != 0 {
		return errno
	}
	return nil
}

// KeepOnExec clears fd's FD_CLOEXEC.
func KeepOnExec(fd int) error {
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

// Executable names this program's file, even if it has been replaced
// or removed since it started.
func Executable() (string, error) { return "/proc/self/exe", nil }

// Flags is fcntl(fd, F_GETFD).
func Flags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// StatusFlags is fcntl(fd, F_GETFL).
func StatusFlags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
