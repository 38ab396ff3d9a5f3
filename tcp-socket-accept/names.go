package main

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"
)

// lookupTime bounds the looking up of one client's name, the forward
// lookup of -p included: two of the 5-second tries that resolv.conf(5)
// gives a server by default. A client whose name is not found by then is
// served without one. tcpserver's child waits for djbdns's library,
// which gives up after 60 seconds.
const lookupTime = 10 * time.Second

// namer looks up clients' names (-h), and with paranoid (-p) keeps a name
// only if a forward lookup of it gives the client's address back, as
// tcpserver does.
//
// The names come from Go's own resolver, as the server is built without
// cgo: /etc/hosts first, then the DNS servers of /etc/resolv.conf, in the
// order of the hosts line of /etc/nsswitch.conf where the toolchain reads
// it; no other NSS module. /etc/hosts first, as a C server's
// getnameinfo(3) reads it with "hosts: files dns", so that a host without
// DNS (a rescue system, a container) can name its clients. tcpserver
// asks DNS alone, through djbdns's library ($DNSCACHEIP, then
// resolv.conf).
type namer struct {
	resolver *net.Resolver
	paranoid bool
}

func newNamer(paranoid bool) *namer {
	return &namer{resolver: &net.Resolver{PreferGo: true}, paranoid: paranoid}
}

// hostOf is the name of the client at ip, as TCPREMOTEHOST gives it, or
// "" for none: the first name found, in lower case and without the
// final dot, as djbdns's library writes it for tcpserver.
func (n *namer) hostOf(ip netip.Addr) string {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTime)
	defer cancel()
	names, err := n.resolver.LookupAddr(ctx, ip.String())
	if err != nil || len(names) == 0 {
		return ""
	}
	name := strings.ToLower(strings.TrimSuffix(names[0], "."))
	if name == "" || n.paranoid && !n.confirms(ctx, name, ip) {
		return ""
	}
	return name
}

// confirms tells whether a forward lookup of name, in ip's family, gives
// ip back. The name is looked up as found, absolute: no search domain is
// tried.
func (n *namer) confirms(ctx context.Context, name string, ip netip.Addr) bool {
	family := "ip6"
	if ip.Is4() {
		family = "ip4"
	}
	ips, err := n.resolver.LookupIP(ctx, family, name+".")
	if err != nil {
		return false
	}
	for _, a := range ips {
		if b, ok := netip.AddrFromSlice(a); ok && b.Unmap() == ip {
			return true
		}
	}
	return false
}
