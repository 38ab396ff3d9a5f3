package main

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The DNS client's messages, read and written, without a server: the
// tests of names_test.go ask a real one.

// answerRR is a resource record of the answer section, its owner a
// pointer to the question's name.
func answerRR(rtype uint16, data []byte) []byte {
	rr := []byte{0xc0, 12, byte(rtype >> 8), byte(rtype), 0, classIN, 0, 0, 0, 60, byte(len(data) >> 8), byte(len(data))}
	return append(rr, data...)
}

// replyTo is a reply to query with rcode and the records rrs.
func replyTo(query []byte, rcode byte, rrs ...[]byte) []byte {
	r := append([]byte{}, query...)
	r[2] |= 0x80
	r[3] = 0x80 | rcode
	r[7] = byte(len(rrs))
	for _, rr := range rrs {
		r = append(r, rr...)
	}
	return r
}

func TestPackQuery(t *testing.T) {
	q, err := packQuery(0x1234, "2.0.0.127.in-addr.arpa", typePTR)
	if err != nil {
		t.Fatal(err)
	}
	want := "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x012\x010\x010\x03127\x07in-addr\x04arpa\x00\x00\x0c\x00\x01"
	if string(q) != want {
		t.Errorf("packQuery: %q; want %q", q, want)
	}
	if q2, _ := packQuery(0x1234, "2.0.0.127.in-addr.arpa.", typePTR); string(q2) != want {
		t.Errorf("with a final dot: %q", q2)
	}
	for _, bad := range []string{strings.Repeat("a", 64) + ".org", strings.Repeat("abc.", 63) + "org"} {
		if _, err := packQuery(1, bad, typeA); err == nil {
			t.Errorf("packQuery(%q) made a query", bad)
		}
	}
	if _, err := packQuery(1, strings.Repeat("abc.", 62)+"org", typeA); err != nil {
		t.Errorf("a name of 253 bytes: %v", err)
	}
}

func TestParseReply(t *testing.T) {
	q, _ := packQuery(7, "2.0.0.127.in-addr.arpa", typePTR)
	name := writeLabels("Client-Two", "Example", "ORG")
	// A CNAME (RFC 2317's delegation), then the PTR its target holds,
	// owned by a name of its own: taken as djbdns takes it.
	cname := answerRR(5, writeLabels("2", "0-25", "0", "0", "127", "in-addr", "arpa"))
	ptr := append(append([]byte{}, writeLabels("2", "0-25", "0", "0", "127", "in-addr", "arpa")...), 0, typePTR, 0, classIN, 0, 0, 0, 60, 0, byte(len(name)))
	ptr = append(ptr, name...)
	odd := answerRR(typePTR, writeLabels("odd name", "x\xff"))
	for _, c := range []struct {
		label string
		msg   []byte
		ok    bool
		want  reply
	}{
		{"a PTR", replyTo(q, 0, answerRR(typePTR, name)), true, reply{name: "client-two.example.org"}},
		{"a CNAME then a PTR", replyTo(q, 0, cname, ptr), true, reply{name: "client-two.example.org"}},
		{"bytes escaped as djbdns does", replyTo(q, 0, odd), true, reply{name: `odd\040name.x\377`}},
		{"a pointer into the question", replyTo(q, 0, answerRR(typePTR, []byte{0xc0, 12})), true, reply{name: "2.0.0.127.in-addr.arpa"}},
		{"no such name", replyTo(q, 3), true, reply{rcode: 3}},
		{"server failure", replyTo(q, 2), true, reply{rcode: 2}},
		{"an A record, not asked for", replyTo(q, 0, answerRR(typeA, []byte{1, 2, 3, 4})), true, reply{}},
		{"another ID", func() []byte { r := replyTo(q, 0, answerRR(typePTR, name)); r[1]++; return r }(), false, reply{}},
		{"not a response", func() []byte { r := replyTo(q, 0); r[2] &^= 0x80; return r }(), false, reply{}},
		{"another question", replyTo(func() []byte { o, _ := packQuery(7, "3.0.0.127.in-addr.arpa", typePTR); return o }(), 0), false, reply{}},
		{"the question in another case", replyTo([]byte(strings.Replace(string(q), "arpa", "ARPA", 1)), 0, answerRR(typePTR, name)), true, reply{name: "client-two.example.org"}},
		{"cut short", replyTo(q, 0)[:20], false, reply{}},
		{"a record cut short", replyTo(q, 0, answerRR(typePTR, name))[:len(q)+8], true, reply{}},
		{"a pointer loop", replyTo(q, 0, answerRR(typePTR, []byte{0xc0, byte(len(q) + 12)})), true, reply{}},
		{"a pointer back to a label before it", replyTo(q, 0, answerRR(typePTR, []byte{1, 'a', 0xc0, byte(len(q) + 12)})), true, reply{}},
		{"a name of 257 bytes", replyTo(q, 0, answerRR(typePTR, writeLabels(strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 63)))), true, reply{}},
		{"a name of 255 bytes", replyTo(q, 0, answerRR(typePTR, writeLabels(strings.Repeat("a", 63), strings.Repeat("b", 63), strings.Repeat("c", 63), strings.Repeat("d", 61)))), true,
			reply{name: strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)}},
	} {
		got, ok := parseReply(c.msg, q, typePTR)
		if ok != c.ok || ok && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.label, got, ok, c.want, c.ok)
		}
	}
	qa, _ := packQuery(9, "client-two.example.org", typeA)
	got, ok := parseReply(replyTo(qa, 0, answerRR(typeA, []byte{127, 0, 0, 2}), answerRR(typeA, []byte{1, 2, 3}), answerRR(typeA, []byte{127, 0, 0, 7})), qa, typeA)
	want := []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.7")}
	if !ok || !reflect.DeepEqual(got.addrs, want) {
		t.Errorf("A records: %+v, %v; want %v (a record of 3 bytes passed over)", got, ok, want)
	}
	q6, _ := packQuery(9, "v6.example.org", typeAAAA)
	got, ok = parseReply(replyTo(q6, 0, answerRR(typeAAAA, netip.MustParseAddr("2001:db8::1").AsSlice())), q6, typeAAAA)
	if !ok || len(got.addrs) != 1 || got.addrs[0] != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("AAAA record: %+v, %v", got, ok)
	}
}

// writeLabels is a name in the wire's labels.
func writeLabels(labels ...string) []byte {
	var b []byte
	for _, l := range labels {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

func TestReverseName(t *testing.T) {
	for ip, want := range map[string]string{
		"127.0.0.2":   "2.0.0.127.in-addr.arpa",
		"192.0.2.255": "255.2.0.192.in-addr.arpa",
		"2001:db8::1": "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	} {
		if got := reverseName(netip.MustParseAddr(ip)); got != want {
			t.Errorf("reverseName(%s) = %s; want %s", ip, got, want)
		}
	}
}

func TestParseHosts(t *testing.T) {
	byAddr, byName := parseHosts([]byte("# comment\n127.0.0.1\tlocalhost\n127.0.1.1 Mail.Example.ORG. mail # the host\n::1 localhost ip6-localhost\nfe80::1%lo link\n127.0.1.1 second\nnot-an-address x\n127.0.0.9\n"))
	for ip, want := range map[string]string{"127.0.0.1": "localhost", "127.0.1.1": "mail.example.org", "::1": "localhost", "fe80::1": "link", "127.0.0.9": ""} {
		if got := byAddr[netip.MustParseAddr(ip)]; got != want {
			t.Errorf("%s: %q; want %q", ip, got, want)
		}
	}
	if got := byName["localhost"]; !reflect.DeepEqual(got, []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}) {
		t.Errorf("localhost's addresses: %v", got)
	}
	if got := byName["mail"]; len(got) != 1 {
		t.Errorf("mail's addresses: %v", got)
	}
}

func TestParseResolvConf(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, c := range []struct {
		text string
		want resolvConf
	}{
		{"", resolvConf{servers: []netip.Addr{lo}, timeout: 5 * time.Second, attempts: 2}},
		{"# x\nsearch example.org\nnameserver 192.0.2.1\nnameserver ::1\nnameserver bad\nnameserver 192.0.2.2\nnameserver 192.0.2.3\noptions ndots:2 timeout:1 attempts:3\n",
			resolvConf{servers: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("::1"), netip.MustParseAddr("192.0.2.2")}, timeout: time.Second, attempts: 3}},
		{"options timeout:90 attempts:0\noptions attempts:9\n", resolvConf{servers: []netip.Addr{lo}, timeout: 30 * time.Second, attempts: 5}},
	} {
		if got := parseResolvConf([]byte(c.text)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %+v; want %+v", c.text, got, c.want)
		}
	}
}

// FuzzParseReply: no reply, however made, makes parseReply panic or loop;
// a name it reads holds only what djbdns writes.
func FuzzParseReply(f *testing.F) {
	q, _ := packQuery(7, "2.0.0.127.in-addr.arpa", typePTR)
	f.Add(replyTo(q, 0, answerRR(typePTR, writeLabels("a", "b"))))
	f.Add(replyTo(q, 0, answerRR(typePTR, []byte{0xc0, byte(len(q) + 12)})))
	f.Fuzz(func(t *testing.T, msg []byte) {
		if len(msg) >= 2 {
			copy(msg, q[:2])
		}
		r, _ := parseReply(msg, q, typePTR)
		for _, c := range []byte(r.name) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(`-_.\`, c) >= 0) {
				t.Fatalf("name %q holds %q", r.name, c)
			}
		}
	})
}

// TestPackQueryEscapes: a name as djbdns writes it goes on the wire as
// its bytes, as djbdns's dns_domain_fromdot reads it.
func TestPackQueryEscapes(t *testing.T) {
	for name, want := range map[string][]byte{
		`odd\040name.example.org`: writeLabels("odd name", "example", "org"),
		`a\.b.org`:                writeLabels("a.b", "org"),
		`x\377\1y.org`:            writeLabels("x\xff\x01y", "org"),
		"a..b.":                   writeLabels("a", "b"),
		`trailing\`:               writeLabels("trailing"),
		"":                        writeLabels(),
		".":                       writeLabels(),
	} {
		q, err := packQuery(0, name, typeA)
		if err != nil {
			t.Errorf("packQuery(%q): %v", name, err)
			continue
		}
		if got := q[12 : len(q)-4]; string(got) != string(want) {
			t.Errorf("packQuery(%q): %q; want %q", name, got, want)
		}
	}
}

// TestDottedIPv4: a name of digits, dots and brackets is read as
// djbdns's dns_ip4 reads it.
func TestDottedIPv4(t *testing.T) {
	for name, want := range map[string]string{
		"127.0.0.10":      "[127.0.0.10]",
		"[127.0.0.10]":    "[127.0.0.10]",
		"1.2.3.4.5.6.7.8": "[1.2.3.4 5.6.7.8]",
		"1.2.3":           "[]",
		"256.0.0.1":       "[0.0.0.1]",
		"mail.example":    "[]",
	} {
		if got := fmt.Sprint(dottedIPv4(name)); got != want {
			t.Errorf("dottedIPv4(%q) = %s; want %s", name, got, want)
		}
	}
}

// TestRootPTR: a PTR record naming the root gives ".", as djbdns writes
// it.
func TestRootPTR(t *testing.T) {
	q, _ := packQuery(7, "2.0.0.127.in-addr.arpa", typePTR)
	if r, ok := parseReply(replyTo(q, 0, answerRR(typePTR, []byte{0})), q, typePTR); !ok || r.name != "." {
		t.Errorf("%+v, %v; want the name \".\"", r, ok)
	}
}
