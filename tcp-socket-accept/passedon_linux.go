//go:build linux

package main

import "syscall"

// passedOnByLinux tells whether err is one that Linux's accept(2) passes
// on from the connection, to be treated as EAGAIN: a protocol error, a
// firewall's refusal, or an error of the connection's network. Not every
// system's package syscall defines them all (OpenBSD's has no EPROTO
// before Go 1.20, none but Linux's has ENONET).
func passedOnByLinux(err error) bool {
	switch err {
	case syscall.EPROTO, syscall.EPERM, syscall.ENETDOWN, syscall.ENOPROTOOPT,
		syscall.EHOSTDOWN, syscall.ENONET, syscall.EHOSTUNREACH,
		syscall.EOPNOTSUPP, syscall.ENETUNREACH, syscall.ETIMEDOUT:
		return true
	}
	return false
}
