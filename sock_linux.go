//go:build linux

package main

import (
	"runtime"
	"syscall"
)

// openSocket opens a stream socket of family, closed on exec.
func openSocket(family int) (int, error) {
	return syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
}

// sysNumbers are this system's numbers for sock.go.
func sysNumbers() sockNumbers {
	return sockNumbers{
		solSocket: syscall.SOL_SOCKET, soReuseAddr: syscall.SO_REUSEADDR, soReusePort: soReusePort(),
		ipLevel: syscall.SOL_IP, ipv6Level: syscall.IPPROTO_IPV6, ipv6V6Only: syscall.IPV6_V6ONLY,
		ipFreebind: syscall.IP_FREEBIND,
	}
}

// soReusePort is SO_REUSEPORT, which package syscall lacks on 386, amd64
// and arm; MIPS numbers its SOL_SOCKET options apart from the other ports.
func soReusePort() int {
	switch runtime.GOARCH {
	case "mips", "mipsle", "mips64", "mips64le":
		return 0x200
	}
	return 0xf
}
