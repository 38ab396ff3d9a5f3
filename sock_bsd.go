//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"runtime"
	"syscall"
)

// Options that package syscall defines only for the system that has them.
const (
	ipBindAny   = 0x18   // IP_BINDANY, FreeBSD <netinet/in.h>
	ipv6BindAny = 0x40   // IPV6_BINDANY, FreeBSD <netinet6/in6.h>
	soBindAny   = 0x1000 // SO_BINDANY, OpenBSD <sys/socket.h>
)

// openSocket opens a stream socket of family, closed on exec.
func openSocket(family int) (int, error) {
	// macOS has no SOCK_CLOEXEC; nothing here forks, so setting it after
	// socket(2) opens no window.
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	return fd, err
}

// options lists what to set on the socket, in order, or says why this
// system cannot do what l asks. The errors name the command-line option
// that asks for it.
func (l listening) options() ([]sockOption, error) {
	var opts []sockOption
	if l.reuseAddress {
		opts = append(opts, sockOption{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})
	}
	if l.reusePort {
		opts = append(opts, sockOption{"SO_REUSEPORT", syscall.SOL_SOCKET, syscall.SO_REUSEPORT, 1})
	}
	if l.bindToAny {
		// Set only when asked: FreeBSD wants privilege even to turn it off.
		switch {
		case runtime.GOOS == "freebsd" && l.ipv6:
			opts = append(opts, sockOption{"IPV6_BINDANY", syscall.IPPROTO_IPV6, ipv6BindAny, 1})
		case runtime.GOOS == "freebsd":
			opts = append(opts, sockOption{"IP_BINDANY", syscall.IPPROTO_IP, ipBindAny, 1})
		case runtime.GOOS == "openbsd":
			opts = append(opts, sockOption{"SO_BINDANY", syscall.SOL_SOCKET, soBindAny, 1})
		default:
			return nil, errors.New("--bind-to-any: not supported on this system")
		}
	}
	switch {
	case !l.ipv6:
	case runtime.GOOS != "openbsd":
		opts = append(opts, sockOption{"IPV6_V6ONLY", syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, boolInt(!l.combine4and6)})
	case l.combine4and6:
		// OpenBSD's IPv6 sockets are always IPv6 only.
		return nil, errors.New("--combine4and6: not supported on this system")
	}
	return opts, nil
}
