package main

import (
	"errors"
	"net/netip"
	"strconv"
	"syscall"
)

// connection is what a child is told about its connection, as text.
type connection struct {
	localIP, localPort   string
	remoteIP, remotePort string
	ipv4                 bool       // an IPv4 client, on either kind of socket
	mapped               bool       // an IPv4 client of an IPv6 socket
	ruleIP               string     // whose rules (-x) are the client's
	client               netip.Addr // its address, IPv4 for a mapped one
	remoteHost           string     // TCPREMOTEHOST (-h), "" for none
}

// describe reads both ends of the accepted connection fd, whose peer is sa.
func describe(fd int, sa syscall.Sockaddr) (connection, error) {
	local, err := syscall.Getsockname(fd)
	if err != nil {
		return connection{}, errors.New("getsockname: " + err.Error())
	}
	var c connection
	var ok bool
	if c.localIP, c.localPort, ok = addrText(local); !ok {
		return c, errors.New("getsockname: not an IP address")
	}
	if c.remoteIP, c.remotePort, ok = addrText(sa); !ok {
		return c, errors.New("accept: not an IP address")
	}
	c.ruleIP = c.remoteIP
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		c.ipv4 = true
		c.client = netip.AddrFrom4(sa.Addr)
	case *syscall.SockaddrInet6:
		ip := netip.AddrFrom16(sa.Addr)
		c.ipv4, c.mapped = ip.Is4In6(), ip.Is4In6()
		c.client = ip.Unmap()
		if c.mapped {
			// As ucspi-tcp-ipv6's tcpserver looks a mapped client's
			// rules and name up: by its IPv4 address, so that a rules
			// file written for IPv4 clients serves them on either kind
			// of socket.
			c.ruleIP = c.client.String()
		}
	}
	return c, nil
}

// addrText is sa's address as inet_ntop(3) writes it, and its port.
func addrText(sa syscall.Sockaddr) (ip, port string, ok bool) {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return netip.AddrFrom4(sa.Addr).String(), strconv.Itoa(sa.Port), true
	case *syscall.SockaddrInet6:
		return ntop6(sa.Addr), strconv.Itoa(sa.Port), true
	}
	return "", "", false
}

// ntop6 writes an IPv6 address as glibc's inet_ntop does. That is Go's
// form (RFC 5952: the longest run of zeros shortened, lower case), except
// that glibc also writes the deprecated IPv4-compatible addresses,
// ::a.b.c.d, with a dotted quad; Go does so only for mapped ones,
// ::ffff:a.b.c.d, as glibc does too.
func ntop6(b [16]byte) string {
	a := netip.AddrFrom16(b)
	var zero, head [12]byte
	copy(head[:], b[:12])
	if head == zero && (b[12] != 0 || b[13] != 0) {
		return "::" + netip.AddrFrom4(*(*[4]byte)(b[12:])).String()
	}
	return a.String()
}

// ucspiVars are the variables a child may inherit that describe some
// other connection, or sockets it does not get, and that this server does
// not set, or sets only for some connections (TCPREMOTEHOST, when -h
// finds a name): systemd's LISTEN_*, and the UPSTART_* that
// tcp-socket-listen --upstart-compatibility sets for the listener.
var ucspiVars = []string{"TCPLOCALINFO", "TCPREMOTEHOST", "TCPREMOTEINFO", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "UPSTART_FDS", "UPSTART_EVENTS"}

// ucspiVarsAndConnNum are removed without -C: a TCPCONNNUM inherited from
// an outer server counts that server's connections, not this one's.
var ucspiVarsAndConnNum = append(ucspiVars[:len(ucspiVars):len(ucspiVars)], "TCPCONNNUM")

// connEnv is the child's environment: the server's own, exactly, with the
// UCSPI variables for conn set and those it cannot vouch for removed.
// connNum is TCPCONNNUM, set with a per-host limit and removed without.
// The variables of the client's -x rule come last, as tcpserver sets
// them, so that a rule may set any of the others (TCPLOCALHOST, say) or
// one that was removed. env is the server's, shared by every connection:
// the edits go to a copy.
func connEnv(env []string, c config, conn connection, connNum int, rule []ruleVar) []string {
	env = append(make([]string, 0, len(env)+6+len(rule)), env...)
	env = setenv(env, "PROTO", "TCP")
	env = setenv(env, "TCPLOCALIP", conn.localIP)
	env = setenv(env, "TCPLOCALPORT", conn.localPort)
	env = setenv(env, "TCPREMOTEIP", conn.remoteIP)
	env = setenv(env, "TCPREMOTEPORT", conn.remotePort)
	if c.hasLocalName {
		env = setenv(env, "TCPLOCALHOST", c.localName)
	} else {
		env = unsetenv(env, "TCPLOCALHOST")
	}
	if c.perHost > 0 {
		env = setenv(env, "TCPCONNNUM", strconv.Itoa(connNum))
		env = unsetenv(env, ucspiVars...)
	} else {
		env = unsetenv(env, ucspiVarsAndConnNum...)
	}
	if conn.remoteHost != "" {
		env = setenv(env, "TCPREMOTEHOST", conn.remoteHost)
	}
	for _, v := range rule {
		env = setenv(env, v.name, v.value)
	}
	return env
}

// unsetenv removes every entry of each of names, for the reason setenv
// changes them all; every other entry stays, in order.
func unsetenv(env []string, names ...string) []string {
	kept := env[:0]
	for _, kv := range env {
		if !isEntryOfAny(kv, names) {
			kept = append(kept, kv)
		}
	}
	return kept
}

func isEntryOfAny(kv string, names []string) bool {
	for _, name := range names {
		if isEntry(kv, name) {
			return true
		}
	}
	return false
}
