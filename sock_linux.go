//go:build linux

package main

import (
	"runtime"
	"syscall"
)

// soReusePort is SO_REUSEPORT, which package syscall lacks on 386, amd64
// and arm; MIPS numbers its SOL_SOCKET options apart from the other ports.
func soReusePort() int {
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le":
		return 0x200
	}
	return 0xf
}

func openSocket(family int) (int, error) {
	return syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
}

// socketOptions lists what to set on the socket for a, in order.
func socketOptions(a address, c config) ([]sockopt, error) {
	var opts []sockopt
	if !c.noReuseAddress {
		opts = append(opts, sockopt{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})
	}
	if c.reusePort {
		opts = append(opts, sockopt{"SO_REUSEPORT", syscall.SOL_SOCKET, soReusePort(), 1})
	}
	if c.bindToAny {
		// IP_FREEBIND at the IP level serves IPv6 sockets too, on every
		// kernel, where IPV6_FREEBIND needs Linux 4.15.
		opts = append(opts, sockopt{"IP_FREEBIND", syscall.SOL_IP, syscall.IP_FREEBIND, 1})
	}
	if a.family() == syscall.AF_INET6 {
		// Set it either way: the default comes from a sysctl.
		opts = append(opts, sockopt{"IPV6_V6ONLY", syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, boolInt(!c.combine4and6)})
	}
	return opts, nil
}

// dupOnto makes newfd a copy of oldfd, atomically replacing whatever newfd
// was.
func dupOnto(oldfd, newfd int, closeOnExec bool) error {
	flags := 0
	if closeOnExec {
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

// fdFlags is fcntl(fd, F_GETFD).
func fdFlags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// fdStatusFlags is fcntl(fd, F_GETFL).
func fdStatusFlags(fd int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}
