//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"os"
	"runtime"
	"syscall"
)

// Options that package syscall defines only for the system that has them.
const (
	ipBindAny   = 0x18   // IP_BINDANY, FreeBSD <netinet/in.h>
	ipv6BindAny = 0x40   // IPV6_BINDANY, FreeBSD <netinet6/in6.h>
	soBindAny   = 0x1000 // SO_BINDANY, OpenBSD <sys/socket.h>
)

func openSocket(family int) (int, error) {
	// macOS has no SOCK_CLOEXEC; nothing here forks, so setting it after
	// socket(2) opens no window.
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	return fd, err
}

// socketOptions lists what to set on the socket for a, in order, or says
// why this system cannot do what c asks.
func socketOptions(a address, c config) ([]sockopt, error) {
	v6 := a.family() == syscall.AF_INET6
	var opts []sockopt
	if !c.noReuseAddress {
		opts = append(opts, sockopt{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})
	}
	if c.reusePort {
		opts = append(opts, sockopt{"SO_REUSEPORT", syscall.SOL_SOCKET, syscall.SO_REUSEPORT, 1})
	}
	if c.bindToAny {
		// Set only when asked: FreeBSD wants privilege even to turn it off.
		switch {
		case runtime.GOOS == "freebsd" && v6:
			opts = append(opts, sockopt{"IPV6_BINDANY", syscall.IPPROTO_IPV6, ipv6BindAny, 1})
		case runtime.GOOS == "freebsd":
			opts = append(opts, sockopt{"IP_BINDANY", syscall.IPPROTO_IP, ipBindAny, 1})
		case runtime.GOOS == "openbsd":
			opts = append(opts, sockopt{"SO_BINDANY", syscall.SOL_SOCKET, soBindAny, 1})
		default:
			return nil, errors.New("--bind-to-any: not supported on this system")
		}
	}
	switch {
	case !v6:
	case runtime.GOOS != "openbsd":
		opts = append(opts, sockopt{"IPV6_V6ONLY", syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, boolInt(!c.combine4and6)})
	case c.combine4and6:
		// OpenBSD's IPv6 sockets are always IPv6 only.
		return nil, errors.New("--combine4and6: not supported on this system")
	}
	return opts, nil
}

// dupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func dupOnto(oldfd, newfd int, closeOnExec bool) error {
	if err := syscall.Dup2(oldfd, newfd); err != nil {
		return err
	}
	if closeOnExec {
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

// fdFlags is fcntl(fd, F_GETFD).
func fdFlags(fd int) (int, error) {
	if runtime.GOOS == "openbsd" {
		return openbsdFDFlags(fd)
	}
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// openbsdFDFlags stands in for F_GETFD, which OpenBSD 7.5 and later serve
// only through libc and package syscall does not export. It tells whether
// fd is open, and reports FD_CLOEXEC for a kqueue, which cannot have come
// from a parent, since no kqueue survives fork: it is the runtime's poller.
func openbsdFDFlags(fd int) (int, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return 0, err
	}
	if _, err := syscall.Kevent(fd, nil, nil, &syscall.Timespec{}); err == nil {
		return syscall.FD_CLOEXEC, nil
	}
	return 0, nil
}

// fdStatusFlags is fcntl(fd, F_GETFL), which OpenBSD serves only through
// libc.
func fdStatusFlags(fd int) (int, error) {
	if runtime.GOOS == "openbsd" {
		return 0, syscall.ENOSYS
	}
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
