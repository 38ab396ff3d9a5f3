package main

import (
	"bytes"
	"errors"
	"hash/maphash"
	"net/netip"
	"os"
	"strconv"
	"strings"
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
// asked again over TCP, which a PTR or A answer never needs.

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
// question's type, as names (PTR) or addresses (A, AAAA).
type reply struct {
	rcode int // 0: no error; 3: no such name
	names []string
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
// the port or stays silent passes the question on.
func ask(conf resolvConf, name string, qtype uint16, deadline time.Time) (reply, error) {
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
			r, err := exchange(server, name, qtype, try)
			if err == nil && (r.rcode == 0 || r.rcode == 3) {
				return r, nil
			}
		}
	}
	return reply{}, errNoReply
}

// exchange sends one query to server, from a socket of its own (a port
// of the kernel's choosing), and waits until deadline for its reply,
// passing over any datagram that is not one. The wait is in the
// runtime's poller, which holds no thread.
func exchange(server netip.Addr, name string, qtype uint16, deadline time.Time) (reply, error) {
	id := queryID(name, qtype, time.Now())
	query, err := packQuery(id, name, qtype)
	if err != nil {
		return reply{}, err
	}
	f, err := dialUDP(server)
	if err != nil {
		return reply{}, err
	}
	defer f.Close()
	if _, err := f.Write(query); err != nil {
		return reply{}, err
	}
	if err := f.SetReadDeadline(deadline); err != nil {
		return reply{}, err
	}
	buf := make([]byte, 1232)
	for {
		n, err := f.Read(buf)
		if err != nil {
			return reply{}, err
		}
		if r, ok := parseReply(buf[:n], query, qtype); ok {
			return r, nil
		}
	}
}

// dialUDP is a non-blocking UDP socket connected to server's DNS port,
// close-on-exec from the start (under the fork lock, for the systems
// without SOCK_CLOEXEC), as a file of the runtime's poller.
func dialUDP(server netip.Addr) (*os.File, error) {
	family := syscall.AF_INET
	var sa syscall.Sockaddr = &syscall.SockaddrInet4{Port: dnsPort, Addr: server.As4()}
	if !server.Is4() {
		family = syscall.AF_INET6
		zone, _ := strconv.Atoi(server.Zone())
		sa = &syscall.SockaddrInet6{Port: dnsPort, Addr: server.As16(), ZoneId: uint32(zone)}
	}
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(family, syscall.SOCK_DGRAM, syscall.IPPROTO_UDP)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), "dns"), nil
}

// packQuery is the query with id for (name, qtype), recursion desired.
func packQuery(id uint16, name string, qtype uint16) ([]byte, error) {
	q := []byte{byte(id >> 8), byte(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	name = strings.TrimSuffix(name, ".")
	if name == "" || len(name) > 253 {
		return nil, errors.New("not a domain name: " + strconv.Quote(name))
	}
	for _, label := range strings.Split(name, ".") {
		if label == "" || len(label) > 63 {
			return nil, errors.New("not a domain name: " + strconv.Quote(name))
		}
		q = append(q, byte(len(label)))
		q = append(q, label...)
	}
	return append(q, 0, byte(qtype>>8), byte(qtype), 0, classIN), nil
}

// parseReply reads msg as the reply to query, of type qtype: false if it
// is not one (another ID, not a response, another question, or cut short
// of its header and question).
func parseReply(msg, query []byte, qtype uint16) (reply, bool) {
	question := query[12:]
	if len(msg) < 12+len(question) || msg[0] != query[0] || msg[1] != query[1] ||
		msg[2]&0x80 == 0 || msg[2]&0x78 != 0 || msg[4] != 0 || msg[5] != 1 ||
		!bytes.EqualFold(msg[12:12+len(question)], question) {
		return reply{}, false
	}
	r := reply{rcode: int(msg[3] & 0x0f)}
	answers := int(msg[6])<<8 | int(msg[7])
	off := 12 + len(question)
	for i := 0; i < answers; i++ {
		var ok bool
		if off, ok = skipName(msg, off); !ok || off+10 > len(msg) {
			break
		}
		rtype, class := uint16(msg[off])<<8|uint16(msg[off+1]), uint16(msg[off+2])<<8|uint16(msg[off+3])
		size := int(msg[off+8])<<8 | int(msg[off+9])
		data := off + 10
		if off = data + size; off > len(msg) {
			break
		}
		if rtype != qtype || class != classIN {
			continue
		}
		switch {
		case rtype == typePTR:
			if name, ok := readName(msg, data); ok && name != "" {
				r.names = append(r.names, name)
			}
		case rtype == typeA && size == 4:
			r.addrs = append(r.addrs, netip.AddrFrom4(*(*[4]byte)(msg[data:])))
		case rtype == typeAAAA && size == 16:
			r.addrs = append(r.addrs, netip.AddrFrom16(*(*[16]byte)(msg[data:])))
		}
	}
	return r, true
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
// as a backslash and three octal digits. The root is "".
func readName(msg []byte, off int) (string, bool) {
	var b strings.Builder
	for jumps := 0; off < len(msg); {
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
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		for _, c := range msg[off+1 : off+1+n] {
			writeNameByte(&b, c)
		}
		if b.Len() > 1024 {
			return "", false
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
