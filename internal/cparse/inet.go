package cparse

import "net/netip"

// InetAton reads s as the C library's inet_aton does when nothing may
// follow the address (glibc's __inet_aton_exact, which getaddrinfo uses):
// one to four parts, each a C integer constant, the last filling all the
// bytes the earlier ones leave. "127.1" is 127.0.0.1 and "0" is 0.0.0.0.
func InetAton(s string) (netip.Addr, bool) {
	var b [4]byte
	var parts int
	for {
		if s == "" || !IsDigit(s[0]) {
			return netip.Addr{}, false
		}
		v, rest, ok := CNumber(s)
		if !ok || v > 0xffffffff {
			return netip.Addr{}, false
		}
		if rest == "" {
			// The last part fills the 4-parts bytes that remain.
			if v>>(8*(4-parts)) != 0 {
				return netip.Addr{}, false
			}
			for i := 3; i >= parts; i-- {
				b[i] = byte(v)
				v >>= 8
			}
			return netip.AddrFrom4(b), true
		}
		if rest[0] != '.' || parts == 3 || v > 0xff {
			return netip.Addr{}, false
		}
		b[parts] = byte(v)
		parts++
		s = rest[1:]
	}
}
