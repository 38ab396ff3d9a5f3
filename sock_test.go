package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// Each system's numbers, as its headers give them: <sys/socket.h>,
// <netinet/in.h>, <netinet6/in6.h> (Linux: <asm-generic/socket.h>,
// <linux/in.h>, <linux/in6.h>).
var headerNumbers = map[string]sockNumbers{
	"linux":     {solSocket: 1, soReuseAddr: 2, soReusePort: 15, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 26, ipFreebind: 15},
	"freebsd":   {solSocket: 0xffff, soReuseAddr: 4, soReusePort: 0x200, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 27, ipBindAny: 0x18, ipv6BindAny: 0x40},
	"openbsd":   {solSocket: 0xffff, soReuseAddr: 4, soReusePort: 0x200, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 27, soBindAny: 0x1000},
	"netbsd":    {solSocket: 0xffff, soReuseAddr: 4, soReusePort: 0x200, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 27, ipBindAny: 27, ipv6BindAny: 64},
	"dragonfly": {solSocket: 0xffff, soReuseAddr: 4, soReusePort: 0x200, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 27},
	"darwin":    {solSocket: 0xffff, soReuseAddr: 4, soReusePort: 0x200, ipLevel: 0, ipv6Level: 41, ipv6V6Only: 27},
}

// TestListeningOptionsOnEverySystem checks, for each system, which options
// each request sets, at which level and with which number, and what a
// request the system cannot meet says.
func TestListeningOptionsOnEverySystem(t *testing.T) {
	reuse := listening{reuseAddress: true, reusePort: true}
	any4 := listening{bindToAny: true}
	any6 := listening{bindToAny: true, ipv6: true}
	only6 := listening{ipv6: true}
	both := listening{ipv6: true, combine4and6: true}
	const noBindAny = "--bind-to-any: not supported on %s, which has no option to bind to an address no interface has"
	const noCombine = "--combine4and6: not supported on %s, whose IPv6 sockets are always IPv6-only"
	for _, c := range []struct {
		sys  string
		l    listening
		want string // the options as label level/name=value, or the error
	}{
		{"linux", reuse, "SO_REUSEADDR 1/2=1 SO_REUSEPORT 1/15=1"},
		{"linux", any4, "IP_FREEBIND 0/15=1"},
		{"linux", any6, "IP_FREEBIND 0/15=1 IPV6_V6ONLY 41/26=1"},
		{"linux", both, "IPV6_V6ONLY 41/26=0"},
		{"freebsd", reuse, "SO_REUSEADDR 65535/4=1 SO_REUSEPORT 65535/512=1"},
		{"freebsd", any4, "IP_BINDANY 0/24=1"},
		{"freebsd", any6, "IPV6_BINDANY 41/64=1 IPV6_V6ONLY 41/27=1"},
		{"freebsd", both, "IPV6_V6ONLY 41/27=0"},
		{"openbsd", reuse, "SO_REUSEADDR 65535/4=1 SO_REUSEPORT 65535/512=1"},
		{"openbsd", any4, "SO_BINDANY 65535/4096=1"},
		{"openbsd", any6, "SO_BINDANY 65535/4096=1"},
		{"openbsd", only6, ""},
		{"openbsd", both, fmt.Sprintf(noCombine, "OpenBSD")},
		{"netbsd", any4, "IP_BINDANY 0/27=1"},
		{"netbsd", any6, "IPV6_BINDANY 41/64=1 IPV6_V6ONLY 41/27=1"},
		{"netbsd", only6, "IPV6_V6ONLY 41/27=1"},
		{"netbsd", both, "IPV6_V6ONLY 41/27=0"},
		{"dragonfly", any6, fmt.Sprintf(noBindAny, "DragonFly BSD")},
		{"dragonfly", only6, ""},
		{"dragonfly", both, fmt.Sprintf(noCombine, "DragonFly BSD")},
		{"darwin", reuse, "SO_REUSEADDR 65535/4=1 SO_REUSEPORT 65535/512=1"},
		{"darwin", any4, fmt.Sprintf(noBindAny, "macOS")},
		{"darwin", both, "IPV6_V6ONLY 41/27=0"},
	} {
		opts, err := c.l.optionsOn(c.sys, headerNumbers[c.sys])
		var got []string
		for _, o := range opts {
			got = append(got, fmt.Sprintf("%s %d/%d=%d", o.label, o.level, o.name, o.value))
		}
		if err != nil {
			got = []string{err.Error()}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s %+v: %q, want %q", c.sys, c.l, strings.Join(got, " "), c.want)
		}
	}
}

// TestBindAnyNumbers checks the bind-to-any numbers that the BSD builds
// set, which package syscall does not define, against each system's
// headers.
func TestBindAnyNumbers(t *testing.T) {
	for sys, want := range headerNumbers {
		ip, ipv6, so := bindAnyNumbers(sys)
		if sys != "linux" && (ip != want.ipBindAny || ipv6 != want.ipv6BindAny || so != want.soBindAny) {
			t.Errorf("%s: IP_BINDANY %d, IPV6_BINDANY %d, SO_BINDANY %d; want %d, %d, %d", sys, ip, ipv6, so, want.ipBindAny, want.ipv6BindAny, want.soBindAny)
		}
	}
}

// TestSysNumbers checks the numbers this build sets against its
// system's headers, as written above (MIPS numbers its socket options
// apart).
func TestSysNumbers(t *testing.T) {
	want, ok := headerNumbers[runtime.GOOS]
	if !ok || strings.HasPrefix(runtime.GOARCH, "mips") {
		t.Skip("no header numbers here for " + runtime.GOOS + "/" + runtime.GOARCH)
	}
	if got := sysNumbers(); got != want {
		t.Errorf("sysNumbers() = %+v, want %+v", got, want)
	}
}
