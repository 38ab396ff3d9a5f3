//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"runtime"
	"syscall"
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

// sysNumbers are this system's numbers for sock.go. Package syscall
// defines the bind-to-any options for none of the systems that have them,
// so they are written out; sock.go sets each only where it exists.
func sysNumbers() sockNumbers {
	n := sockNumbers{
		solSocket: syscall.SOL_SOCKET, soReuseAddr: syscall.SO_REUSEADDR, soReusePort: syscall.SO_REUSEPORT,
		ipLevel: syscall.IPPROTO_IP, ipv6Level: syscall.IPPROTO_IPV6, ipv6V6Only: syscall.IPV6_V6ONLY,
	}
	switch runtime.GOOS {
	case "freebsd":
		n.ipBindAny = 0x18   // IP_BINDANY, <netinet/in.h>
		n.ipv6BindAny = 0x40 // IPV6_BINDANY, <netinet6/in6.h>
	case "netbsd":
		n.ipBindAny = 27   // IP_BINDANY, <netinet/in.h>
		n.ipv6BindAny = 64 // IPV6_BINDANY, <netinet6/in6.h>
	case "openbsd":
		n.soBindAny = 0x1000 // SO_BINDANY, <sys/socket.h>
	}
	return n
}
