//go:build linux

package testkit

import (
	"encoding/binary"
	"net"
	"strings"
	"sync"
	"testing"
)

// DNSServer is a DNS server of the test's own, over UDP, for the names
// of a small zone: the answers to PTR, A and AAAA questions, a name it
// never answers (as a dead server), and NXDOMAIN for the rest. It counts
// the questions it is asked.
type DNSServer struct {
	Addr string // where it answers, ip:port

	conn  *net.UDPConn
	zone  DNSZone
	mu    sync.Mutex
	asked map[string]int // "PTR 2.0.0.127.in-addr.arpa.", ...
}

// DNSZone is what a DNSServer knows: for each question, "TYPE name" with
// the name absolute and in lower case ("PTR 2.0.0.127.in-addr.arpa.",
// "A host.example."), the answers, a name for PTR, an address for A and
// AAAA; and the questions it never answers.
type DNSZone struct {
	Answers map[string][]string
	Silent  map[string]bool
}

// DNS types and classes this server knows.
const (
	dnsA    = 1
	dnsPTR  = 12
	dnsAAAA = 28
	dnsIN   = 1
)

var dnsTypes = map[uint16]string{dnsA: "A", dnsPTR: "PTR", dnsAAAA: "AAAA"}

// StartDNS starts a DNS server for zone on addr, ip:port, until the test
// ends; it skips the test, saying why, if it cannot listen there (port
// 53 needs root).
func StartDNS(t *testing.T, addr string, zone DNSZone) *DNSServer {
	t.Helper()
	s, err := ServeDNS(addr, zone)
	if err != nil {
		t.Skipf("a DNS server of the test's own on %s: %v", addr, err)
	}
	t.Cleanup(s.Close)
	return s
}

// ServeDNS starts a DNS server for zone on addr, ip:port, until Close.
func ServeDNS(addr string, zone DNSZone) (*DNSServer, error) {
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, err
	}
	conn, err := net.ListenUDP("udp", ua)
	if err != nil {
		return nil, err
	}
	s := &DNSServer{Addr: conn.LocalAddr().String(), conn: conn, zone: zone, asked: map[string]int{}}
	go s.serve()
	return s, nil
}

// Close stops the server.
func (s *DNSServer) Close() {
	s.conn.Close()
}

// Asked is how many times the question "TYPE name" has been asked.
func (s *DNSServer) Asked(question string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[question]
}

// AskedAny is how many questions have been asked in all.
func (s *DNSServer) AskedAny() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.asked {
		n += c
	}
	return n
}

func (s *DNSServer) serve() {
	buf := make([]byte, 512)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		reply, ok := s.answer(buf[:n])
		if ok {
			s.conn.WriteToUDP(reply, from)
		}
	}
}

// answer is the reply to the query q, or false for none: a query that is
// not one, or a question of the silent ones.
func (s *DNSServer) answer(q []byte) ([]byte, bool) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil, false
	}
	name, end, ok := readName(q, 12)
	if !ok || end+4 > len(q) {
		return nil, false
	}
	qtype := binary.BigEndian.Uint16(q[end:])
	question := dnsTypes[qtype] + " " + strings.ToLower(name)
	s.mu.Lock()
	s.asked[question]++
	s.mu.Unlock()
	if s.zone.Silent[question] {
		return nil, false
	}
	answers := s.zone.Answers[question]
	// The header: the query's id, a response with the query's RD,
	// authoritative, RA; one question, the answers; NXDOMAIN for a name
	// with no answer of any type.
	r := append([]byte{}, q[:2]...)
	flags := uint16(0x8400) | binary.BigEndian.Uint16(q[2:])&0x0100 | 0x0080
	if len(answers) == 0 && !s.knows(name) {
		flags |= 3
	}
	r = put16(r, flags)
	r = put16(r, 1)
	r = put16(r, uint16(len(answers)))
	r = append(r, 0, 0, 0, 0)
	r = append(r, q[12:end+4]...)
	for _, a := range answers {
		r = append(r, 0xc0, 12) // the question's name
		r = put16(r, qtype)
		r = put16(r, dnsIN)
		r = append(r, 0, 0, 0, 60)
		var data []byte
		switch qtype {
		case dnsPTR:
			data = writeName(a)
		default:
			ip := net.ParseIP(a)
			if qtype == dnsA {
				ip = ip.To4()
			}
			data = ip
		}
		r = put16(r, uint16(len(data)))
		r = append(r, data...)
	}
	return r, true
}

// knows tells whether name has an answer of some type.
func (s *DNSServer) knows(name string) bool {
	for q := range s.zone.Answers {
		if _, n, _ := strings.Cut(q, " "); strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// readName reads the uncompressed name at off in msg, as dotted text
// ending with a dot, and where it ends.
func readName(msg []byte, off int) (string, int, bool) {
	var b strings.Builder
	for off < len(msg) {
		n := int(msg[off])
		off++
		if n == 0 {
			if b.Len() == 0 {
				b.WriteByte('.')
			}
			return b.String(), off, true
		}
		if n > 63 || off+n > len(msg) {
			return "", 0, false
		}
		b.Write(msg[off : off+n])
		b.WriteByte('.')
		off += n
	}
	return "", 0, false
}

// writeName is name, dotted, in the wire's labels.
func writeName(name string) []byte {
	var b []byte
	for _, label := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(label)))
		b = append(b, label...)
	}
	return append(b, 0)
}

// put16 appends v to b, big-endian (binary.BigEndian.AppendUint16 is Go
// 1.19's, and gccgo 12's library is Go 1.18's).
func put16(b []byte, v uint16) []byte {
	return append(b, byte(v>>8), byte(v))
}
