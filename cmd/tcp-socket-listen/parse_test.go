package main

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"tcp-socket-tools/internal/cmdline"
	"tcp-socket-tools/internal/cparse/cmodel"
)

// Fuzzing: each target checks a property against a model written apart
// from the code under test. Seeds are in testdata/fuzz.

func FuzzBacklog(f *testing.F) {
	for _, s := range []string{"5", "0", "0x11", "021", " +7", "-1", "-0", "08", "0x", "", "2147483647", "2147483648", "18446744073709551616", "\t12", "12 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseBacklog(s)
		ok, neg, v, fits := cmodel.Strtoul(s)
		if ok && !neg && fits && v <= math.MaxInt32 {
			if err != nil || n != int(v) {
				t.Fatalf("parseBacklog(%q) = %d, %v; want %d", s, n, err, v)
			}
		} else if err == nil {
			t.Fatalf("parseBacklog(%q) = %d; want an error", s, n)
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
		if req != cmdline.Run {
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
		if err2 != nil || req2 != cmdline.Run || !reflect.DeepEqual(c2.next, append(c.next, "--help", "-b", "x")) {
			t.Fatalf("%q: appending to next-prog changed the parse: %v %v %q", args, err2, req2, c2.next)
		}
	})
}
