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

// openSocket opens a stream socket of family, closed on exec.
func openSocket(family int) (int, error) {
	return syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
}

// options lists what to set on the socket, in order.
func (l listening) options() ([]sockOption, error) {
	var opts []sockOption
	if l.reuseAddress {
		opts = append(opts, sockOption{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})
	}
	if l.reusePort {
		opts = append(opts, sockOption{"SO_REUSEPORT", syscall.SOL_SOCKET, soReusePort(), 1})
	}
	if l.bindToAny {
		// IP_FREEBIND at the IP level serves IPv6 sockets too, on every
		// kernel, where IPV6_FREEBIND needs Linux 4.15.
		opts = append(opts, sockOption{"IP_FREEBIND", syscall.SOL_IP, syscall.IP_FREEBIND, 1})
	}
	if l.ipv6 {
		// Set it either way: the default comes from a sysctl.
		opts = append(opts, sockOption{"IPV6_V6ONLY", syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, boolInt(!l.combine4and6)})
	}
	return opts, nil
}
