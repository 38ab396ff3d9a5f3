package main

import (
	"syscall"
	"testing"
)

// TestListeningOptions sets what options lists on a real socket and
// reads each back from the kernel.
func TestListeningOptions(t *testing.T) {
	for _, l := range []listening{
		{},
		{reuseAddress: true, reusePort: true, bindToAny: true},
		{reuseAddress: true, ipv6: true},
		{combine4and6: true, ipv6: true, bindToAny: true},
	} {
		family := syscall.AF_INET
		if l.ipv6 {
			family = syscall.AF_INET6
		}
		fd, err := openSocket(family)
		if err != nil {
			t.Fatal(err)
		}
		if flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0); errno != 0 || flags&syscall.FD_CLOEXEC == 0 {
			t.Errorf("%+v: socket not closed on exec", l)
		}
		opts, err := l.options()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"SO_REUSEADDR": boolInt(l.reuseAddress), "SO_REUSEPORT": boolInt(l.reusePort), "IP_FREEBIND": boolInt(l.bindToAny)}
		if l.ipv6 {
			want["IPV6_V6ONLY"] = boolInt(!l.combine4and6)
		}
		for _, o := range opts {
			if err := setOption(fd, o); err != nil {
				t.Fatalf("%+v: %s: %v", l, o.label, err)
			}
		}
		for _, o := range append(opts, sockOption{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0},
			sockOption{"SO_REUSEPORT", syscall.SOL_SOCKET, soReusePort(), 0}, sockOption{"IP_FREEBIND", syscall.SOL_IP, syscall.IP_FREEBIND, 0}) {
			got, err := syscall.GetsockoptInt(fd, o.level, o.name)
			if err != nil || got != want[o.label] {
				t.Errorf("%+v: %s reads back %d, %v; want %d", l, o.label, got, err, want[o.label])
			}
		}
		syscall.Close(fd)
	}
}
