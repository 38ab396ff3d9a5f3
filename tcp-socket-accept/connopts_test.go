package main

import (
	"syscall"
	"testing"
)

// TestConnection sets each option on a real TCP socket and reads it
// back; with nothing asked, nothing is set.
func TestConnection(t *testing.T) {
	if n := len(connOptions{}.list()); n != 0 {
		t.Errorf("nothing asked: %d options; want none", n)
	}
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	opts := connOptions{keepAlive: true, noDelay: true}.list()
	if len(opts) != 2 {
		t.Fatalf("options %v; want SO_KEEPALIVE and TCP_NODELAY", opts)
	}
	for _, o := range opts {
		if err := setOption(fd, o); err != nil {
			t.Fatalf("%s: %v", o.label, err)
		}
		if v, err := syscall.GetsockoptInt(fd, o.level, o.name); err != nil || v == 0 {
			t.Errorf("%s reads back %d, %v; want it on", o.label, v, err)
		}
	}
	if err := clearIPOptions(fd); err != nil {
		t.Errorf("ClearIPOptions: %v", err)
	}
	if err := clearIPOptions(-1); err != syscall.EBADF {
		t.Errorf("clearIPOptions(-1): %v; want EBADF", err)
	}
}

// TestClearsIPOptionsOnEverySystem: an IPv4 client's IP options are
// cleared on an IPv4 socket everywhere, and on an IPv6 socket on Linux
// only, whose IPv6 sockets hand IPv4 options on to IPv4's code.
func TestClearsIPOptionsOnEverySystem(t *testing.T) {
	for _, sys := range []string{"linux", "freebsd", "openbsd", "netbsd", "dragonfly", "darwin"} {
		if !clearsIPOptions(sys, false) {
			t.Errorf("%s: IPv4 socket's options left", sys)
		}
		if got := clearsIPOptions(sys, true); got != (sys == "linux") {
			t.Errorf("%s: an IPv4 client of an IPv6 socket has its options cleared: %v", sys, got)
		}
	}
}
