package main

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strconv"
	"syscall"
)

// Interfaces, as glibc's getaddrinfo consults them: to read an address's
// zone, and for AI_ADDRCONFIG (--check-interfaces).

// scopeID turns ip's zone into an interface index as glibc does: an
// interface name only for a link-local address (unicast or multicast) or
// an interface-local multicast one, where the name is tried first, and a
// decimal number for any address.
func scopeID(ip netip.Addr) (uint32, error) {
	zone := ip.Zone()
	if zone == "" {
		return 0, nil
	}
	if nameableZone(ip) {
		ifi, err := net.InterfaceByName(zone)
		var failed *os.SyscallError
		switch {
		case err == nil:
			return uint32(ifi.Index), nil
		case errors.As(err, &failed):
			// Not "no such interface": the listing itself failed.
			return 0, errors.New("interface " + quote(zone) + ": " + failed.Error())
		}
	} else if !isDigit(zone[0]) {
		return 0, errors.New("zone " + quote(zone) + ": an interface name is only for a link-local address")
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil && allDigits(zone) {
		return uint32(n), nil
	}
	return 0, errors.New("unknown interface " + quote(zone))
}

// nameableZone is glibc's test for a zone that may name an interface:
// IN6_IS_ADDR_LINKLOCAL (fe80::/10), IN6_IS_ADDR_MC_NODELOCAL and
// IN6_IS_ADDR_MC_LINKLOCAL (multicast of scope 1 or 2). Package netip's
// tests differ: they take an IPv4-mapped 169.254/16 for link-local.
func nameableZone(ip netip.Addr) bool {
	b := ip.As16()
	return b[0] == 0xfe && b[1]&0xc0 == 0x80 || b[0] == 0xff && (b[1]&0xf == 1 || b[1]&0xf == 2)
}

// ifAddr is an address of an interface, with the interface's flags, as
// the C libraries' AI_ADDRCONFIG looks at them.
type ifAddr struct {
	ip    netip.Addr // IPv4 unmapped
	flags net.Flags
}

// configuredFamily is the family that this system's C library narrows a
// lookup to for AI_ADDRCONFIG (addrconfigFamily), from the interfaces'
// addresses as they are now.
func configuredFamily() (int, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return 0, errors.New("listing interface addresses: " + netError(err).Error())
	}
	var addrs []ifAddr
	for _, ifi := range ifs {
		as, err := ifi.Addrs()
		if err != nil {
			return 0, errors.New("listing interface addresses: " + netError(err).Error())
		}
		for _, a := range as {
			if ipnet, ok := a.(*net.IPNet); ok {
				if ip, ok := netip.AddrFromSlice(ipnet.IP); ok {
					addrs = append(addrs, ifAddr{ip.Unmap(), ifi.Flags})
				}
			}
		}
	}
	return addrconfigFamily(runtime.GOOS, addrs), nil
}

// addrconfigFamily is the family that AI_ADDRCONFIG in the C library of
// sys, a value of runtime.GOOS, narrows a lookup to, given the
// interfaces' addresses: the one family that has an address that counts
// (addrconfigCounts), or AF_UNSPEC when both or neither have. DragonFly's
// looks at no address: it only tries to open a socket of each family.
func addrconfigFamily(sys string, addrs []ifAddr) int {
	if sys == "dragonfly" {
		return syscall.AF_UNSPEC
	}
	var has4, has6 bool
	for _, a := range addrs {
		if addrconfigCounts(sys, a) {
			has4 = has4 || a.ip.Is4()
			has6 = has6 || a.ip.Is6()
		}
	}
	switch {
	case has4 && !has6:
		return syscall.AF_INET
	case has6 && !has4:
		return syscall.AF_INET6
	}
	return syscall.AF_UNSPEC
}

// addrconfigCounts tells whether a counts for its family in the C library
// of sys:
//   - glibc (__check_pf): every address but 127.0.0.1 and ::1, of an
//     interface up or down;
//   - FreeBSD (addrconfig, lib/libc/net/getaddrinfo.c): an address of an
//     interface that is up, but 127.0.0.1, ::1, and a link-local address
//     of a loopback or point-to-point interface (it tests IFT_LOOP, 0x18,
//     against the interface's flags); an interface with IPv6 disabled
//     (ND6_IFF_IFDISABLED) is not told apart here, and has no IPv6
//     address unless one is given it;
//   - NetBSD (addrconfig, the same file): any address of an interface
//     that is up, loopback ones too;
//   - OpenBSD (addrconfig_setup, lib/libc/asr/getaddrinfo_async.c): every
//     address but 127.0.0.1, ::1 and fe80::/10, of an interface up or
//     down;
//   - macOS, whose resolver asks configd which families are routable
//     (mDNSResponder's kDNSServiceFlagsSuppressUnusable): here, an address
//     of an interface that is up, but a loopback or link-local one.
func addrconfigCounts(sys string, a ifAddr) bool {
	up := a.flags&net.FlagUp != 0
	loopback := a.ip == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || a.ip == ipv6Loopback()
	linkLocal6 := a.ip.Is6() && a.ip.IsLinkLocalUnicast()
	switch sys {
	case "freebsd":
		return up && !loopback && !(linkLocal6 && a.flags&(net.FlagLoopback|net.FlagPointToPoint) != 0)
	case "netbsd":
		return up
	case "openbsd":
		return !loopback && !linkLocal6
	case "darwin":
		return up && !a.ip.IsLoopback() && !a.ip.IsLinkLocalUnicast()
	}
	return !loopback
}

// addrconfigNamesOnly tells whether the C library of sys applies
// AI_ADDRCONFIG to names only, and leaves an IP address as written, and
// the wildcard, as they are: glibc and NetBSD's narrow them too.
func addrconfigNamesOnly(sys string) bool {
	return sys != "linux" && sys != "netbsd"
}

// netError drops the "route ip+net:" that package net puts before the
// system call that failed.
func netError(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}
