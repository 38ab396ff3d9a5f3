package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"syscall"
)

// address is where the socket is bound: the first address that host and
// service resolve to.
type address struct {
	ip    netip.Addr // with its zone, as written, for messages
	scope uint32     // the zone as an interface index
	port  int
}

func (a address) String() string {
	return a.ip.String() + " port " + strconv.Itoa(a.port)
}

func (a address) family() int {
	if a.ip.Is4() {
		return syscall.AF_INET
	}
	return syscall.AF_INET6
}

func (a address) sockaddr() syscall.Sockaddr {
	if a.ip.Is4() {
		return &syscall.SockaddrInet4{Port: a.port, Addr: a.ip.As4()}
	}
	return &syscall.SockaddrInet6{Port: a.port, ZoneId: a.scope, Addr: a.ip.As16()}
}

// resolve turns host and service into an address, as the C original's
// getaddrinfo call with AI_PASSIVE does. Errors name both host and service.
func resolve(c config) (address, error) {
	a, err := resolveAddress(c)
	if err != nil {
		return a, errors.New(quoted(c.host) + " " + quoted(c.service) + ": " + err.Error())
	}
	return a, nil
}

func resolveAddress(c config) (address, error) {
	// Whether a lookup has room is decided once, before the first one.
	room := sync.OnceValue(lookupRoom)
	port, err := lookupPort(c.service, c.numericService, room)
	if err != nil {
		return address{}, err
	}
	ips, err := lookupHost(c.host, c.numericHost, room)
	if err != nil {
		return address{}, err
	}
	if c.checkInterfaces {
		if ips, err = configuredOnly(ips); err != nil {
			return address{}, err
		}
	}
	scope, err := scopeID(ips[0].Zone())
	return address{ip: ips[0], scope: scope, port: port}, err
}

// lookupPort reads a decimal port number, or else looks the service name
// up in the services database, unless numeric forbids it or room says
// there are not the descriptors to read it.
func lookupPort(service string, numeric bool, room func() error) (int, error) {
	if service == "" {
		// getaddrinfo and package net both take it for port 0.
		return 0, errors.New("empty service")
	}
	if allDigits(service) {
		n, err := strconv.ParseUint(service, 10, 16)
		if err != nil {
			return 0, errors.New("port number out of range")
		}
		return int(n), nil
	}
	if numeric {
		return 0, errors.New("not a port number")
	}
	if err := room(); err != nil {
		return 0, err
	}
	port, err := net.DefaultResolver.LookupPort(context.Background(), "tcp", service)
	return port, resolverError(err)
}

// lookupHost takes an IP address as written, or else asks the system's
// resolver, unless numeric forbids it or room says there are not the
// descriptors to.
func lookupHost(host string, numeric bool, room func() error) ([]netip.Addr, error) {
	if ip, ok := parseIP(host); ok {
		return []netip.Addr{ip}, nil
	}
	if numeric {
		return nil, errors.New("not a numeric IP address")
	}
	if err := room(); err != nil {
		return nil, err
	}
	found, err := net.DefaultResolver.LookupIPAddr(context.Background(), host)
	if err != nil {
		return nil, resolverError(err)
	}
	ips := make([]netip.Addr, 0, len(found))
	for _, f := range found {
		if ip, ok := netip.AddrFromSlice(f.IP); ok {
			ips = append(ips, ip.Unmap().WithZone(f.Zone))
		}
	}
	if len(ips) == 0 {
		return nil, errors.New("no address")
	}
	return ips, nil
}

// resolverError drops the "lookup NAME:" that package net puts before its
// reasons, since our messages name host and service themselves.
func resolverError(err error) error {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return errors.New(dns.Err)
	}
	return err
}

// parseIP reads an IPv4 address in any form that inet_aton accepts, or an
// IPv6 address with an optional %zone.
func parseIP(s string) (netip.Addr, bool) {
	if ip, ok := inetAton(s); ok {
		return ip, true
	}
	ip, err := netip.ParseAddr(s)
	return ip, err == nil && ip.Is6()
}

// inetAton reads s as the C library's inet_aton does when nothing may
// follow the address (glibc's __inet_aton_exact, which getaddrinfo uses):
// one to four parts, each a C integer constant, the last filling all the
// bytes the earlier ones leave. "127.1" is 127.0.0.1 and "0" is 0.0.0.0.
func inetAton(s string) (netip.Addr, bool) {
	var b [4]byte
	var parts int
	for {
		if s == "" || !isDigit(s[0]) {
			return netip.Addr{}, false
		}
		v, rest, ok := cNumber(s)
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

// scopeID turns an IPv6 zone, an interface name or number, into an index.
func scopeID(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	unknown := errors.New("unknown interface " + quoted(zone))
	if allDigits(zone) {
		n, err := strconv.ParseUint(zone, 10, 32)
		if err != nil {
			return 0, unknown
		}
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, unknown
	}
	return uint32(ifi.Index), nil
}

// configuredOnly keeps the addresses of the families that some interface
// has, as glibc's AI_ADDRCONFIG does: IPv4 counts when an interface has an
// IPv4 address other than 127.0.0.1, IPv6 when one has an address other
// than ::1, and only when exactly one family counts is the other dropped.
func configuredOnly(ips []netip.Addr) ([]netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, errors.New("listing interface addresses: " + err.Error())
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
			has6 = has6 || ip != netip.IPv6Loopback()
		}
	}
	if has4 == has6 {
		return ips, nil
	}
	var kept []netip.Addr
	for _, ip := range ips {
		if ip.Is4() == has4 {
			kept = append(kept, ip)
		}
	}
	if len(kept) == 0 {
		return nil, errors.New("no address in a family that any interface has")
	}
	return kept, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// quoted shows s as it is, unless that would hide it or break the line.
func quoted(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
