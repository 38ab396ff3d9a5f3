package main

import (
	"errors"
	"net"
	"net/netip"
	"os"
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

// configuredFamily is the family that glibc's AI_ADDRCONFIG narrows a
// lookup to: IPv4 counts when an interface has an IPv4 address other than
// 127.0.0.1, IPv6 when one has an address other than ::1, and only when
// exactly one family counts is the lookup narrowed to it; otherwise
// AF_UNSPEC.
func configuredFamily() (int, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return 0, errors.New("listing interface addresses: " + netError(err).Error())
	}
	var has4, has6 bool
	for _, a := range addrs {
		ipnet, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipnet.IP)
		switch {
		case !ok:
		case ip.Unmap().Is4():
			has4 = has4 || ip.Unmap() != netip.AddrFrom4([4]byte{127, 0, 0, 1})
		default:
			has6 = has6 || ip != ipv6Loopback()
		}
	}
	switch {
	case has4 && !has6:
		return syscall.AF_INET, nil
	case has6 && !has4:
		return syscall.AF_INET6, nil
	}
	return syscall.AF_UNSPEC, nil
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
