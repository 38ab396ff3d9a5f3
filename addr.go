package main

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strconv"
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
		return a, errors.New(quote(c.host) + " " + quote(c.service) + ": " + err.Error())
	}
	return a, nil
}

func resolveAddress(c config) (address, error) {
	if c.host == "*" && c.service == "*" {
		// getaddrinfo refuses a call with neither host nor service.
		return address{}, errors.New("no host and no service")
	}
	port, err := lookupPort(c.service, c.numericService)
	if err != nil {
		return address{}, err
	}
	family := syscall.AF_UNSPEC
	if c.checkInterfaces && !(addrconfigNamesOnly(runtime.GOOS) && isNumericHost(c.host)) {
		if family, err = configuredFamily(); err != nil {
			return address{}, err
		}
	}
	ips, err := lookupHost(c.host, c.numericHost, family)
	if err != nil {
		return address{}, err
	}
	addrs, err := withScopes(ips, port)
	if err != nil {
		return address{}, err
	}
	return firstOf(addrs, family)
}

// isNumericHost tells whether host is the wildcard or an IP address,
// which getaddrinfo reads without a lookup.
func isNumericHost(host string) bool {
	_, ok := parseIP(host)
	return host == "*" || ok
}

// lookupHost takes "*" for the wildcard, an IP address as written, or
// else, unless numeric forbids it, asks the system's resolver. family is
// what --check-interfaces narrowed the lookup to, which glibc's hosts file
// reader applies as it reads: asked for IPv4, it reads an entry of ::1 as
// 127.0.0.1 (loopbackAs4). Package net does not say where an address came
// from, so a ::1 from DNS is read the same way.
func lookupHost(host string, numeric bool, family int) ([]netip.Addr, error) {
	if host == "*" {
		return wildcard(runtime.GOOS, !probesIPv6(runtime.GOOS) || ipv6Sockets()), nil
	}
	if ip, ok := parseIP(host); ok {
		return []netip.Addr{ip}, nil
	}
	if numeric {
		return nil, errors.New("not a numeric IP address")
	}
	if err := lookupRoom(); err != nil {
		return nil, err
	}
	// Go's own resolver, in every build: gccgo's package net, and gc's
	// with cgo, would otherwise hand the lookup to the C library and its
	// NSS modules, and decide some names differently.
	goResolver := &net.Resolver{PreferGo: true}
	found, err := goResolver.LookupIPAddr(context.Background(), host)
	if err != nil {
		return nil, resolverError(err)
	}
	if len(found) == 0 {
		// Go 1.19's resolver, and gccgo's, find nothing, without an
		// error, for a name that the hosts file lacks when nsswitch.conf
		// says "hosts: files"; the newest says no such host.
		return nil, errors.New("no such host")
	}
	ips := make([]netip.Addr, 0, len(found))
	for _, f := range found {
		ip, ok := netip.AddrFromSlice(f.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap().WithZone(f.Zone)
		if family == syscall.AF_INET && ip == ipv6Loopback() && loopbackAs4(runtime.GOOS) {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		ips = append(ips, ip)
	}
	if len(ips) == 0 {
		return nil, errors.New("no address")
	}
	return ips, nil
}

// wildcard is what the C library's getaddrinfo on sys, a value of
// runtime.GOOS, gives for no host with AI_PASSIVE, in the order it gives
// them; v6 is whether IPv6 sockets can be opened, where it asks
// (probesIPv6). glibc makes :: then 0.0.0.0, then sorts them by RFC 3484
// with its default tables (no /etc/gai.conf is read here), and 0.0.0.0
// comes first by rule 5, matching label: the kernel routes a connection
// to 0.0.0.0 from 127.0.0.1, which shares its label, and one to :: from
// ::1, which does not (measured with glibc 2.36, loopback only and with
// global IPv4 and IPv6 addresses alike). FreeBSD's, NetBSD's and
// DragonFly's make :: first, from their table of families (explore[]),
// and sort only the addresses of a name. macOS's sort finds the two
// alike, and as read leaves :: first. OpenBSD's asks its families in
// resolv.conf's order, IPv4 first unless told otherwise.
func wildcard(sys string, v6 bool) []netip.Addr {
	switch {
	case !v6:
		return []netip.Addr{netip.IPv4Unspecified()}
	case sys == "freebsd", sys == "netbsd", sys == "dragonfly", sys == "darwin":
		return []netip.Addr{netip.IPv6Unspecified(), netip.IPv4Unspecified()}
	}
	return []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
}

// probesIPv6 tells whether the getaddrinfo of sys gives :: for no host
// only if it can open an IPv6 socket (explore_null): FreeBSD's, NetBSD's
// and DragonFly's, which leave it out in a kernel without IPv6, or a
// jail without it.
func probesIPv6(sys string) bool {
	return sys == "freebsd" || sys == "netbsd" || sys == "dragonfly"
}

// ipv6Sockets tells whether an IPv6 socket can be opened, as explore_null
// asks: one that fails for want of descriptors says nothing.
func ipv6Sockets() bool {
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_DGRAM, 0)
	if err == nil {
		syscall.Close(fd)
	}
	return err == nil || err == syscall.EMFILE
}

// loopbackAs4 tells whether the C library of sys, asked for IPv4
// addresses, reads a hosts-file entry of ::1 as 127.0.0.1, as glibc's
// does; the BSDs' and macOS's skip it.
func loopbackAs4(sys string) bool {
	return sys == "linux"
}

// withScopes reads each address's zone, as glibc does while it parses
// the address, before --check-interfaces can turn an IPv4-mapped one
// into IPv4.
func withScopes(ips []netip.Addr, port int) ([]address, error) {
	addrs := make([]address, len(ips))
	for i, ip := range ips {
		scope, err := scopeID(ip)
		if err != nil {
			return nil, err
		}
		addrs[i] = address{ip: ip, scope: scope, port: port}
	}
	return addrs, nil
}

// firstOf is the first of addrs in family, or any if it is AF_UNSPEC.
// Asked for IPv4, glibc reads an IPv4-mapped IPv6 address as IPv4.
func firstOf(addrs []address, family int) (address, error) {
	for _, a := range addrs {
		switch {
		case family == syscall.AF_INET && a.ip.Is4In6():
			return address{ip: a.ip.Unmap(), port: a.port}, nil
		case family == syscall.AF_UNSPEC || family == a.family():
			return a, nil
		}
	}
	return address{}, errors.New("no address in a family that any interface has")
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

// allDigits tells whether s is one or more decimal digits and nothing
// else.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
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

// ipv6Loopback is ::1 (netip.IPv6Loopback is Go 1.20's).
func ipv6Loopback() netip.Addr {
	return netip.AddrFrom16([16]byte{15: 1})
}
