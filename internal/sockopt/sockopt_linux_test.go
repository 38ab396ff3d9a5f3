package sockopt

import (
	"syscall"
	"testing"
)

// TestListeningOptions sets what Options lists on a real socket and
// reads each back from the kernel.
func TestListeningOptions(t *testing.T) {
	for _, l := range []Listening{
		{},
		{ReuseAddress: true, ReusePort: true, BindToAny: true},
		{ReuseAddress: true, IPv6: true},
		{Combine4and6: true, IPv6: true, BindToAny: true},
	} {
		family := syscall.AF_INET
		if l.IPv6 {
			family = syscall.AF_INET6
		}
		fd, err := Open(family)
		if err != nil {
			t.Fatal(err)
		}
		if flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0); errno != 0 || flags&syscall.FD_CLOEXEC == 0 {
			t.Errorf("%+v: socket not closed on exec", l)
		}
		opts, err := l.Options()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"SO_REUSEADDR": boolInt(l.ReuseAddress), "SO_REUSEPORT": boolInt(l.ReusePort), "IP_FREEBIND": boolInt(l.BindToAny)}
		if l.IPv6 {
			want["IPV6_V6ONLY"] = boolInt(!l.Combine4and6)
		}
		for _, o := range opts {
			if err := Set(fd, o); err != nil {
				t.Fatalf("%+v: %s: %v", l, o.Label, err)
			}
		}
		for _, o := range append(opts, Option{"SO_REUSEADDR", syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 0},
			Option{"SO_REUSEPORT", syscall.SOL_SOCKET, soReusePort(), 0}, Option{"IP_FREEBIND", syscall.SOL_IP, syscall.IP_FREEBIND, 0}) {
			got, err := syscall.GetsockoptInt(fd, o.Level, o.Name)
			if err != nil || got != want[o.Label] {
				t.Errorf("%+v: %s reads back %d, %v; want %d", l, o.Label, got, err, want[o.Label])
			}
		}
		syscall.Close(fd)
	}
}
