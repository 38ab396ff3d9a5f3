//go:build linux

package main

import (
	"syscall"
	"testing"
)

// TestLinuxAcceptErrors: the errors that Linux's accept(2) passes on from
// one connection are one client's there, and a listener's elsewhere,
// where accept does not give them. (Not every system's package syscall
// defines them all, hence a file of Linux's.)
func TestLinuxAcceptErrors(t *testing.T) {
	for _, err := range []syscall.Errno{syscall.EPROTO, syscall.EPERM, syscall.ENETDOWN, syscall.ENOPROTOOPT,
		syscall.EHOSTDOWN, syscall.ENONET, syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ENETUNREACH, syscall.ETIMEDOUT} {
		if got := acceptFailure("linux", err); got != oneClient {
			t.Errorf("linux: %v classed %d; want %d", err, got, oneClient)
		}
		for _, sys := range []string{"freebsd", "openbsd", "netbsd", "dragonfly"} {
			if got := acceptFailure(sys, err); got != listenerGone {
				t.Errorf("%s: %v classed %d; want %d", sys, err, got, listenerGone)
			}
		}
	}
}
