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

// sysNumbers are this system's numbers for sock.go.
func sysNumbers() sockNumbers {
	n := sockNumbers{
		solSocket: syscall.SOL_SOCKET, soReuseAddr: syscall.SO_REUSEADDR, soReusePort: syscall.SO_REUSEPORT,
		ipLevel: syscall.IPPROTO_IP, ipv6Level: syscall.IPPROTO_IPV6, ipv6V6Only: syscall.IPV6_V6ONLY,
	}
	n.ipBindAny, n.ipv6BindAny, n.soBindAny = bindAnyNumbers(runtime.GOOS)
	return n
}
