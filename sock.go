package main

import (
	"errors"
	"runtime"
)

// What each system sets on a listening socket, decided from the system's
// name (runtime.GOOS) and its numbers, so that the tests, which run on
// Linux, check every system's choices. sock_linux.go and sock_bsd.go give
// the numbers and open the socket. ENGINEERING.md ("Systems") cites each
// system's manual and kernel for what these options do there.

// sockNumbers are one system's numbers for the levels and options that a
// listening socket may be asked for; those it lacks are left 0, and
// never set.
type sockNumbers struct {
	solSocket, soReuseAddr, soReusePort int
	ipLevel, ipv6Level, ipv6V6Only      int
	ipFreebind                          int // Linux
	ipBindAny, ipv6BindAny              int // FreeBSD, NetBSD
	soBindAny                           int // OpenBSD
}

// options lists what to set on the socket, in order, or says why this
// system cannot do what l asks.
func (l listening) options() ([]sockOption, error) {
	return l.optionsOn(runtime.GOOS, sysNumbers())
}

// optionsOn lists what to set on the socket on the system sys, whose
// numbers are n, in order, or says why that system cannot do what l asks.
// The errors name the command-line option that asks for it.
func (l listening) optionsOn(sys string, n sockNumbers) ([]sockOption, error) {
	var opts []sockOption
	if l.reuseAddress {
		opts = append(opts, sockOption{"SO_REUSEADDR", n.solSocket, n.soReuseAddr, 1})
	}
	if l.reusePort {
		opts = append(opts, sockOption{"SO_REUSEPORT", n.solSocket, n.soReusePort, 1})
	}
	if l.bindToAny {
		o, err := bindAnyOption(sys, n, l.ipv6)
		if err != nil {
			return nil, err
		}
		opts = append(opts, o)
	}
	switch {
	case !l.ipv6:
	case !alwaysV6Only(sys):
		// Set it either way: the default comes from a sysctl.
		opts = append(opts, sockOption{"IPV6_V6ONLY", n.ipv6Level, n.ipv6V6Only, boolInt(!l.combine4and6)})
	case l.combine4and6:
		return nil, errors.New("--combine4and6: not supported on " + systemName(sys) + ", whose IPv6 sockets are always IPv6-only")
	}
	return opts, nil
}

// bindAnyOption is the option that lets a socket bind to an address that
// no interface has, on sys. Only Linux lets it be set without privilege;
// FreeBSD wants privilege even to turn it off, so it is set only when
// asked for. NetBSD has IP_BINDANY and IPV6_BINDANY since 10.0; earlier
// releases refuse them (ENOPROTOOPT).
func bindAnyOption(sys string, n sockNumbers, ipv6 bool) (sockOption, error) {
	switch {
	case sys == "linux":
		// IP_FREEBIND at the IP level serves IPv6 sockets too, on every
		// kernel, where IPV6_FREEBIND needs Linux 4.15.
		return sockOption{"IP_FREEBIND", n.ipLevel, n.ipFreebind, 1}, nil
	case (sys == "freebsd" || sys == "netbsd") && ipv6:
		return sockOption{"IPV6_BINDANY", n.ipv6Level, n.ipv6BindAny, 1}, nil
	case sys == "freebsd" || sys == "netbsd":
		return sockOption{"IP_BINDANY", n.ipLevel, n.ipBindAny, 1}, nil
	case sys == "openbsd":
		return sockOption{"SO_BINDANY", n.solSocket, n.soBindAny, 1}, nil
	}
	return sockOption{}, errors.New("--bind-to-any: not supported on " + systemName(sys) + ", which has no option to bind to an address no interface has")
}

// bindAnyNumbers are the numbers of the bind-to-any options on sys, which
// package syscall defines for none of the systems that have them:
// IP_BINDANY and IPV6_BINDANY (<netinet/in.h>, <netinet6/in6.h>) on
// FreeBSD and NetBSD, SO_BINDANY (<sys/socket.h>) on OpenBSD.
func bindAnyNumbers(sys string) (ip, ipv6, so int) {
	switch sys {
	case "freebsd":
		return 0x18, 0x40, 0
	case "netbsd":
		return 27, 64, 0
	case "openbsd":
		return 0, 0, 0x1000
	}
	return 0, 0, 0
}

// alwaysV6Only tells whether sys's IPv6 sockets are IPv6-only for good,
// as package net takes OpenBSD's and DragonFly's to be
// (net/ipsock_posix.go): IPV6_V6ONLY cannot be turned off there, and is
// not set at all.
func alwaysV6Only(sys string) bool {
	return sys == "openbsd" || sys == "dragonfly"
}

// systemName names sys, a value of runtime.GOOS, in messages.
func systemName(sys string) string {
	switch sys {
	case "linux":
		return "Linux"
	case "freebsd":
		return "FreeBSD"
	case "netbsd":
		return "NetBSD"
	case "openbsd":
		return "OpenBSD"
	case "dragonfly":
		return "DragonFly BSD"
	case "darwin":
		return "macOS"
	}
	return sys
}
