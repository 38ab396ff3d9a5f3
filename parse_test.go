package main

import (
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"tcp-socket-listen/internal/cmodel"
)

// Fuzzing: each target checks a property against a model written apart
// from the code under test. Seeds are in testdata/fuzz.

func FuzzBacklog(f *testing.F) {
	for _, s := range []string{"5", "0", "0x11", "021", " +7", "-1", "-0", "08", "0x", "", "2147483647", "2147483648", "18446744073709551616", "\t12", "12 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := cInt(s)
		ok, neg, v, fits := cmodel.Strtoul(s)
		if ok && !neg && fits && v <= math.MaxInt32 {
			if err != nil || n != int(v) {
				t.Fatalf("cInt(%q) = %d, %v; want %d", s, n, err, v)
			}
		} else if err == nil {
			t.Fatalf("cInt(%q) = %d; want an error", s, n)
		}
	})
}

func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"127.0.0.1\x000\x00prog", "-Hb7\x00::\x00http\x00prog\x00-b\x009", "--backlog=0x11\x00h\x00s\x00p",
		"--\x00-h\x00s\x00p", "--help", "-?", "--usage", "-b", "--bogus\x00h\x00s\x00p", "-b\x00-1\x00h\x00s\x00p", "h\x00s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		c, req, err := parseArgs(args)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error %q is more than one line", args, err)
			}
			return
		}
		if req != reqRun {
			return
		}
		// host, service and next-prog are the last arguments, untouched.
		k := len(args) - len(c.next) - 2
		if len(c.next) == 0 || k < 0 || args[k] != c.host || args[k+1] != c.service || !reflect.DeepEqual(args[k+2:], c.next) {
			t.Fatalf("%q: host %q, service %q, next %q", args, c.host, c.service, c.next)
		}
		if c.backlog < 0 || c.backlog > math.MaxInt32 {
			t.Fatalf("%q: backlog %d", args, c.backlog)
		}
		// Options stop at the arguments: whatever follows is next-prog's.
		more := append(append([]string{}, args...), "--help", "-b", "x")
		c2, req2, err2 := parseArgs(more)
		if err2 != nil || req2 != reqRun || !reflect.DeepEqual(c2.next, append(c.next, "--help", "-b", "x")) {
			t.Fatalf("%q: appending to next-prog changed the parse: %v %v %q", args, err2, req2, c2.next)
		}
	})
}

// FuzzNumericHost checks parseIP, both families: IPv4 as inet_aton reads
// it, IPv6 as package netip does.
func FuzzNumericHost(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "0", "0x7f.1", "0177.0.0.1", "4294967295", "4294967296", "1.2.3.4.5", "1.", ".1", "08",
		"::1", "fe80::1%lo", "fe80::1%2", "::ffff:1.2.3.4", "1.2.3.4%lo", "[::1]", "", "0x", "1.16777215", "1.2.65535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseIP(s)
		want4, ok4 := cmodel.InetAton(s)
		if ok4 {
			if !ok || got != want4 {
				t.Fatalf("parseIP(%q) = %v, %v; inet_aton gives %v", s, got, ok, want4)
			}
			return
		}
		want6, err := netip.ParseAddr(s)
		ok6 := err == nil && want6.Is6()
		if ok != ok6 || ok && got != want6 {
			t.Fatalf("parseIP(%q) = %v, %v; want %v, %v", s, got, ok, want6, ok6)
		}
		if ok {
			again, _ := netip.ParseAddr(got.String())
			if again != got {
				t.Fatalf("%q: %v does not read back as itself", s, got)
			}
		}
	})
}
