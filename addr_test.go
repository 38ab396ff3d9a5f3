package main

import "testing"

// TestWildcardOnEverySystem: the order in which each system's
// getaddrinfo gives the two wildcards for no host, the first of which is
// bound; and whether its hosts-file reader, asked for IPv4, reads ::1 as
// 127.0.0.1.
func TestWildcardOnEverySystem(t *testing.T) {
	for _, c := range []struct {
		sys         string
		first       string
		loopbackAs4 bool
	}{
		{"linux", "0.0.0.0", true},
		{"openbsd", "0.0.0.0", false},
		{"freebsd", "::", false},
		{"netbsd", "::", false},
		{"dragonfly", "::", false},
		{"darwin", "::", false},
	} {
		w := wildcard(c.sys, true)
		if len(w) != 2 || w[0].String() != c.first || !w[0].IsUnspecified() || !w[1].IsUnspecified() || w[0].Is4() == w[1].Is4() {
			t.Errorf("%s: wildcards %v; want %s first, then the other family's", c.sys, w, c.first)
		}
		// Without IPv6 sockets, where getaddrinfo asks, :: is left out.
		if w := wildcard(c.sys, false); len(w) != 1 || w[0].String() != "0.0.0.0" {
			t.Errorf("%s, no IPv6: wildcards %v; want 0.0.0.0 alone", c.sys, w)
		}
		if got, want := probesIPv6(c.sys), c.sys == "freebsd" || c.sys == "netbsd" || c.sys == "dragonfly"; got != want {
			t.Errorf("%s: probesIPv6 %v; want %v", c.sys, got, want)
		}
		if got := loopbackAs4(c.sys); got != c.loopbackAs4 {
			t.Errorf("%s: loopbackAs4 %v; want %v", c.sys, got, c.loopbackAs4)
		}
	}
}
