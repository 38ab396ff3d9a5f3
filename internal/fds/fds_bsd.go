//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package fds

import (
	"os"
	"runtime"
	"syscall"
)

// DupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func DupOnto(oldfd, newfd int, closeOnExec bool) error {
	if err := syscall.Dup2(oldfd, newfd); err != nil {
		return err
	}
	if closeOnExec {
		syscall.CloseOnExec(newfd)
	}
	return nil
}

// CloseOnExec sets fd's FD_CLOEXEC. OpenBSD forbids the raw fcntl
// system call; the libc-backed syscall.CloseOnExec reports nothing.
func CloseOnExec(fd int) error {
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

// KeepOnExec clears fd's FD_CLOEXEC; OpenBSD serves fcntl only through
// libc, which package syscall does not export.
func KeepOnExec(fd int) error {
	if runtime.GOOS == "openbsd" {
		return syscall.ENOSYS
	}
	_, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0)
	if errno != 0 {
		return errno
	}
	return nil
}

func Executable() (string, error) { return os.Executable() }

// Flags is fcntl(fd, F_GETFD).
func Flags(fd int) (int, error) {
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

// StatusFlags is fcntl(fd, F_GETFL), which OpenBSD serves only through
// libc.
func StatusFlags(fd int) (int, error) {
	if runtime.GOOS == "openbsd" {
		return 0, syscall.ENOSYS
	}
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
