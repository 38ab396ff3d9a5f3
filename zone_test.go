package main

import (
	"net"
	"net/netip"
	"syscall"
	"testing"
)

// TestAddrconfigOnEverySystem: which family each system's AI_ADDRCONFIG
// narrows a lookup to, for the interfaces that systems have by default
// and a few others.
func TestAddrconfigOnEverySystem(t *testing.T) {
	up, loop, p2p := net.FlagUp, net.FlagUp|net.FlagLoopback, net.FlagUp|net.FlagPointToPoint
	addr := func(s string, flags net.Flags) ifAddr { return ifAddr{netip.MustParseAddr(s), flags} }
	lo := []ifAddr{addr("127.0.0.1", loop), addr("::1", loop)}
	// The BSDs' and macOS's kernels put fe80::1 on lo0.
	bsdLo := append(lo[:2:2], addr("fe80::1", loop))
	v4Host := append(bsdLo[:3:3], addr("192.0.2.7", up))
	v4HostDown6 := append(v4Host[:4:4], ifAddr{netip.MustParseAddr("2001:db8::7"), 0})
	v4LinkLocal6 := append(v4Host[:4:4], addr("fe80::7", up))
	v4Tunnel6 := append(v4Host[:4:4], addr("fe80::9", p2p))
	v6Host := append(bsdLo[:3:3], addr("2001:db8::7", up))
	lo2 := append(lo[:2:2], addr("127.0.0.2", loop))
	const (
		un = syscall.AF_UNSPEC
		v4 = syscall.AF_INET
		v6 = syscall.AF_INET6
	)
	for _, c := range []struct {
		name  string
		addrs []ifAddr
		want  map[string]int // by system; linux, freebsd, netbsd, openbsd, dragonfly, darwin
	}{
		{"loopback only, Linux's", lo, map[string]int{"linux": un, "freebsd": un, "netbsd": un, "openbsd": un, "dragonfly": un, "darwin": un}},
		{"loopback only, the BSDs'", bsdLo, map[string]int{"linux": v6, "freebsd": un, "netbsd": un, "openbsd": un, "dragonfly": un, "darwin": un}},
		{"IPv4 host", v4Host, map[string]int{"linux": un, "freebsd": v4, "netbsd": un, "openbsd": v4, "dragonfly": un, "darwin": v4}},
		{"IPv4 host, IPv6 on a down interface", v4HostDown6, map[string]int{"linux": un, "freebsd": v4, "netbsd": un, "openbsd": un, "dragonfly": un, "darwin": v4}},
		{"IPv4 host, link-local IPv6 on Ethernet", v4LinkLocal6, map[string]int{"linux": un, "freebsd": un, "netbsd": un, "openbsd": v4, "dragonfly": un, "darwin": v4}},
		{"IPv4 host, link-local IPv6 on a tunnel", v4Tunnel6, map[string]int{"linux": un, "freebsd": v4, "netbsd": un, "openbsd": v4, "dragonfly": un, "darwin": v4}},
		{"IPv6 host", v6Host, map[string]int{"linux": v6, "freebsd": v6, "netbsd": un, "openbsd": v6, "dragonfly": un, "darwin": v6}},
		{"127.0.0.2 on lo", lo2, map[string]int{"linux": v4, "freebsd": v4, "netbsd": un, "openbsd": v4, "dragonfly": un, "darwin": un}},
		{"IPv4 on Linux", []ifAddr{addr("127.0.0.1", loop), addr("::1", loop), addr("192.0.2.7", up)}, map[string]int{"linux": v4}},
	} {
		for sys, want := range c.want {
			if got := addrconfigFamily(sys, c.addrs); got != want {
				t.Errorf("%s, %s: family %d; want %d", c.name, sys, got, want)
			}
		}
	}
	for sys, want := range map[string]bool{"linux": false, "netbsd": false, "freebsd": true, "openbsd": true, "dragonfly": true, "darwin": true} {
		if got := addrconfigNamesOnly(sys); got != want {
			t.Errorf("addrconfigNamesOnly(%q) = %v; want %v", sys, got, want)
		}
	}
}
