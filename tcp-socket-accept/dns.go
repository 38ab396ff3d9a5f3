package main

import (
	"errors"
	"hash/maphash"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A DNS client of the smallest kind, for -h and -p: one question, of
// type PTR, A or AAAA, over UDP, to each server of resolv.conf in turn,
// as the C library's resolver asks them. Not package net's resolver,
// whose half a megabyte of code would be mapped in by every server, -h
// or not (the binary's pages are all resident).
//
// A reply is read as djbdns's library, which tcpserver uses, reads it:
// the records of the question's type and class IN in the answer
// section, whatever their owner (a CNAME's target's included), a name
// written in lower case with any byte but a letter, digit, '-' or '_'
// as \ooo. A reply cut short (TC) is read for what it holds; none is
// asked again over TCP, which a PTR or A answer all but never needs.

// DNS record types and the class IN.
const (
	typeA    = 1
	typePTR  = 12
	typeAAAA = 28
	classIN  = 1
)

// dnsPort is where DNS servers answer.
const dnsPort = 53

// reply is what a server said: its response code and the records of the
// question's type, as a name (the first PTR record's, "" for none) or
// addresses (A, AAAA).
type reply struct {
	rcode int // 0: no error; 3: no such name
	name  string
	addrs []netip.Addr
}

// errNoReply is a question no server answered.
var errNoReply = errors.New("no DNS server answered")

// idSeed makes the queries' IDs hard to guess (see queryID).
var idSeed = maphash.MakeSeed()

// queryID is a query's ID, from the runtime's random seed, so that a
// reply forged off the path must guess it and the kernel's random source
// port.
func queryID(name string, qtype uint16, t time.Time) uint16 {
	var h maphash.Hash
	h.SetSeed(idSeed)
	h.WriteString(name)
	h.WriteString(strconv.FormatInt(t.UnixNano(), 10) + strconv.Itoa(int(qtype)))
	return uint16(h.Sum64())
}

// ask asks the servers of conf the question (name, qtype), each in turn
// for conf.attempts rounds, each try bounded by conf.timeout and all by
// deadline; it returns the first reply that answers it, one of no error
// or of no such name. A server that fails (SERVFAIL, REFUSED), refuses
// the port or stays silent passes the question on. calls is held for
// each system call (see exchange).
func ask(calls *sync.Mutex, conf resolvConf, name string, qtype uint16, deadline time.Time) (reply, error) {
	for a := 0; a < conf.attempts; a++ {
		for _, server := range conf.servers {
			now := time.Now()
			if !now.Before(deadline) {
				return reply{}, errNoReply
			}
			try := now.Add(conf.timeout)
			if try.After(deadline) {
				try = deadline
			}
			r, err := exchange(calls, server, name, qtype, try)
			if err == nil && (r.rcode == 0 || r.rcode == 3) {
				return r, nil
			}
		}
	}
	return reply{}, errNoReply
}

// exchange sends one query to server, from a socket of its own (a port
// of the kernel's choosing), and waits until deadline for its reply,
// passing over any datagram that is not one. Each of its system calls is
// made with calls held, so that however many lookups are in progress,
// they are never in more than one system call at once, and need one
// thread between them (threadsNeeded); the wait is in the runtime's
// poller, which holds none.
func exchange(calls *sync.Mutex, server netip.Addr, name string, qtype uint16, deadline time.Time) (reply, error) {
	id := queryID(name, qtype, time.Now())
	query, err := packQuery(id, name, qtype)
	if err != nil {
		return reply{}, err
	}
	calls.Lock()
	f, err := sendQuery(server, query)
	calls.Unlock()
	if err != nil {
		return reply{}, err
	}
	defer func() {
		calls.Lock()
		f.Close()
		calls.Unlock()
	}()
	rc, err := f.SyscallConn()
	if err == nil {
		err = f.SetReadDeadline(deadline)
	}
	if err != nil {
		return reply{}, err
	}
	buf := make([]byte, 1232)
	for {
		var n int
		var rerr error
		err := rc.Read(func(fd uintptr) bool {
			calls.Lock()
			n, rerr = syscall.Read(int(fd), buf)
			calls.Unlock()
			return rerr != syscall.EAGAIN
		})
		switch {
		case err != nil: // the deadline
			return reply{}, err
		case rerr == syscall.EINTR:
			continue
		case rerr != nil: // ECONNREFUSED: nothing listens there
			return reply{}, rerr
		}
		if r, ok := parseReply(buf[:n], query, qtype); ok {
			return r, nil
		}
	}
}

// sendQuery sends query to server's DNS port from a new non-blocking UDP
// socket, connected to it and close-on-exec from the start
// (socketCloexec, per system), which it returns as a file of the
// runtime's poller.
func sendQuery(server netip.Addr, query []byte) (*os.File, error) {
	family := syscall.AF_INET
	var sa syscall.Sockaddr = &syscall.SockaddrInet4{Port: dnsPort, Addr: server.As4()}
	if !server.Is4() {
		family = syscall.AF_INET6
		zone, _ := strconv.Atoi(server.Zone()) // a scope by number only
		sa = &syscall.SockaddrInet6{Port: dnsPort, Addr: server.As16(), ZoneId: uint32(zone)}
	}
	fd, err := socketCloexec(family, syscall.SOCK_DGRAM)
	if err != nil {
		return nil, err
	}
	err = syscall.Connect(fd, sa)
	if err == nil {
		_, err = syscall.Write(fd, query)
	}
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "dns"), nil
}

// packQuery is the query with id for (name, qtype), recursion desired.
// name is dotted text as djbdns writes it, a byte of a label perhaps as
// \ooo in octal, or any character after a backslash as itself.
func packQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	wire, ok := fromDot(name)
	if !ok {
		return nil, errors.New("not a domain name: " + strconv.Quote(name))
	}
	q := []byte{byte(id >> 8), byte(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	q = append(q, wire...)
	return append(q, byte(qtype>>8), byte(qtype), 0, classIN), nil
}

// fromDot is name on the wire, read as djbdns's dns_domain_fromdot reads
// it: empty labels passed over, a backslash and up to three octal digits
// a byte, a backslash and another character that character, a lone
// backslash at the end dropped; false for a label longer than 63 bytes or
// a name longer than 255.
func fromDot(name string) ([]byte, bool) {
	var wire, label []byte
	end := func() bool {
		if len(label) > 0 {
			wire = append(append(wire, byte(len(label))), label...)
			label = label[:0]
		}
		return len(wire) < 255
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '.' {
			if !end() {
				return nil, false
			}
			continue
		}
		if c == '\\' {
			if i++; i == len(name) {
				break
			}
			c = name[i]
			if c >= '0' && c <= '7' {
				c -= '0'
				for j := 0; j < 2 && i+1 < len(name) && name[i+1] >= '0' && name[i+1] <= '7'; j++ {
					i++
					c = c<<3 + (name[i] - '0')
				}
			}
		}
		if len(label) == 63 {
			return nil, false
		}
		label = append(label, c)
	}
	if !end() {
		return nil, false
	}
	return append(wire, 0), true
}

// parseReply reads msg as the reply to query, of type qtype: false if it
// is not one (another ID, not a response, another question, or cut short
// of its header and question). As djbdns's dns_name_packet and
// dns_ip4_packet read it: for PTR, the first record's name, the root as
// "."; for A and AAAA, every record of the right size; and nothing at
// all if a record up to there is cut short or its name unreadable.
func parseReply(msg, query []byte, qtype uint16) (reply, bool) {
	question := query[12:]
	if len(msg) < 12+len(question) || msg[0] != query[0] || msg[1] != query[1] ||
		msg[2]&0x80 == 0 || msg[2]&0x78 != 0 || msg[4] != 0 || msg[5] != 1 ||
		!equalFoldASCII(msg[12:12+len(question)], question) {
		return reply{}, false
	}
	r := reply{rcode: int(msg[3] & 0x0f)}
	answers := int(msg[6])<<8 | int(msg[7])
	off := 12 + len(question)
	for i := 0; i < answers; i++ {
		var ok bool
		if off, ok = skipName(msg, off); !ok || off+10 > len(msg) {
			return reply{rcode: r.rcode}, true
		}
		rtype, class := uint16(msg[off])<<8|uint16(msg[off+1]), uint16(msg[off+2])<<8|uint16(msg[off+3])
		size := int(msg[off+8])<<8 | int(msg[off+9])
		data := off + 10
		off = data + size
		if rtype != qtype || class != classIN {
			continue
		}
		switch {
		case rtype == typePTR:
			name, ok := readName(msg, data)
			if !ok {
				return reply{rcode: r.rcode}, true
			}
			if name == "" {
				name = "."
			}
			r.name = name
			return r, true
		case data+size > len(msg):
			return reply{rcode: r.rcode}, true
		case rtype == typeA && size == 4:
			r.addrs = append(r.addrs, netip.AddrFrom4(*(*[4]byte)(msg[data:])))
		case rtype == typeAAAA && size == 16:
			r.addrs = append(r.addrs, netip.AddrFrom16(*(*[16]byte)(msg[data:])))
		}
	}
	return r, true
}

// equalFoldASCII tells whether a and b are equal, letters of either case
// alike, as djbdns's dns_domain_equal compares names.
func equalFoldASCII(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// skipName is the offset after the name at off in msg.
func skipName(msg []byte, off int) (int, bool) {
	for off < len(msg) {
		n := int(msg[off])
		switch {
		case n == 0:
			return off + 1, true
		case n&0xc0 == 0xc0:
			return off + 2, off+2 <= len(msg)
		case n&0xc0 != 0:
			return 0, false
		}
		off += 1 + n
	}
	return 0, false
}

// readName is the name at off in msg, following compression pointers,
// as djbdns's library writes it: labels joined by dots, no final dot,
// letters in lower case, and any byte but a letter, digit, '-' or '_'
// as a backslash and three octal digits. The root is "". A name longer
// than 255 bytes on the wire is refused, as dns_packet_getname refuses
// it.
func readName(msg []byte, off int) (string, bool) {
	var b strings.Builder
	for jumps, size := 0, 1; off < len(msg); {
		n := int(msg[off])
		switch {
		case n == 0:
			return b.String(), true
		case n&0xc0 == 0xc0:
			// A pointer must point back, and a name can hold
			// no more than 127 labels: no loop runs for ever.
			if off+1 >= len(msg) || jumps > 127 {
				return "", false
			}
			next := (n&0x3f)<<8 | int(msg[off+1])
			if next >= off {
				return "", false
			}
			off, jumps = next, jumps+1
			continue
		case n&0xc0 != 0 || off+1+n > len(msg):
			return "", false
		}
		if size += 1 + n; size > 255 {
			return "", false
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		for _, c := range msg[off+1 : off+1+n] {
			writeNameByte(&b, c)
		}
		off += 1 + n
	}
	return "", false
}

// writeNameByte writes c of a label as djbdns's dns_domain_todot_cat
// does.
func writeNameByte(b *strings.Builder, c byte) {
	switch {
	case c >= 'A' && c <= 'Z':
		b.WriteByte(c + 'a' - 'A')
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
		b.WriteByte(c)
	default:
		b.WriteByte('\\')
		b.WriteByte('0' + c>>6)
		b.WriteByte('0' + c>>3&7)
		b.WriteByte('0' + c&7)
	}
}

// reverseName is the name under which ip's PTR record is found:
// d.c.b.a.in-addr.arpa, or the 32 nibbles of an IPv6 address, last
// first, under ip6.arpa.
func reverseName(ip netip.Addr) string {
	var b strings.Builder
	if ip.Is4() {
		a := ip.As4()
		for i := 3; i >= 0; i-- {
			b.WriteString(strconv.Itoa(int(a[i])) + ".")
		}
		b.WriteString("in-addr.arpa")
		return b.String()
	}
	a := ip.As16()
	const hex = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		b.WriteByte(hex[a[i]&0xf])
		b.WriteByte('.')
		b.WriteByte(hex[a[i]>>4])
		b.WriteByte('.')
	}
	b.WriteString("ip6.arpa")
	return b.String()
}
