//go:build linux

package sockopt

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

// Open opens a stream socket of family, closed on exec.
func Open(family int) (int, error) {
	return syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
}

// Options lists what to set on the socket, in order.
func (l Listening) Options() ([]Option, error) {
	var opts []Option
	if l.ReuseAddress {
		opts = append(opts, Option{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1})
	}
	if l.ReusePort {
		opts = append(opts, Option{"SO_REUSEPORT", syscall.SOL_SOCKET, soReusePort(), 1})
	}
	if l.BindToAny {
		// IP_FREEBIND at the IP level serves IPv6 sockets too, on every
		// kernel, where IPV6_FREEBIND needs Linux 4.15.
		opts = append(opts, Option{"IP_FREEBIND", syscall.SOL_IP, syscall.IP_FREEBIND, 1})
	}
	if l.IPv6 {
		// Set it either way: the default comes from a sysctl.
		opts = append(opts, Option{"IPV6_V6ONLY", syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, boolInt(!l.Combine4and6)})
	}
	return opts, nil
}
