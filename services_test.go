//go:build linux

package main

import (
	"regexp"
	"strconv"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestNumericServiceAsStrtoul(t *testing.T) {
	port := testkit.FreePort(t)
	for _, service := range []string{port, " " + port, "\t" + port, "\n\v\f\r " + port, "+" + port, " +" + port, "0" + port} {
		for _, opts := range [][]string{nil, {"--numeric-service"}} {
			args := append(append([]string{}, opts...), "127.0.0.1", service)
			r := testkit.Launch{Argv: tsl(args...)}.Probed(t)
			if got := testkit.SocketAt(t, r, 3).Addr.String(); got != "127.0.0.1:"+port {
				t.Errorf("%q: bound to %s; want port %s", args, got, port)
			}
		}
	}
	r := testkit.Launch{Argv: tsl("--numeric-service", "127.0.0.1", "\t0")}.Probed(t)
	if s := testkit.SocketAt(t, r, 3); s.Addr.Port() == 0 {
		t.Errorf("\\t0: bound to %v; want a port the kernel chose", s.Addr)
	}
}

func TestNumericServiceErrors(t *testing.T) {
	cases := []struct{ service, want string }{
		{"-1", "negative port number"},
		{"-0", "negative port number"},
		{" -80", "negative port number"},
		{"-4294967295", "negative port number"}, // glibc wraps it round to port 1
		{"65536", "port number out of range"},
		{" +65536", "port number out of range"},
		{"4294967296", "port number out of range"}, // glibc: port 0
	}
	for _, c := range cases {
		for _, opts := range [][]string{nil, {"--numeric-service"}} {
			args := append(append([]string{}, opts...), "127.0.0.1", c.service)
			fails(t, testkit.Launch{Argv: tsl(args...)}.Run(t), "127.0.0.1 "+quote(c.service)+": "+c.want)
		}
	}
}

func TestSignAloneIsNotAService(t *testing.T) {
	// Not numbers: service names, or with --numeric-service errors.
	// Package net's LookupPort took "-" and "+" for port 0.
	for _, service := range []string{"-", "+", " ", "+-1", "- 1", "80 ", "0x50", "8 0", "+ 80"} {
		t.Run(quote(service), func(t *testing.T) {
			fails(t, testkit.Launch{Argv: tsl("--numeric-service", "127.0.0.1", service)}.Run(t), "127.0.0.1 "+quote(service)+": not a port number")
			fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("127.0.0.1", service)...)}.Run(t), "127.0.0.1 "+quote(service)+": unknown port")
		})
	}
}

func TestServiceNamesExact(t *testing.T) {
	found := map[string]string{
		"x11":       "6000",
		"TSL-Upper": "4444",
		"tsl-alias": "4444",
		"tsl-dup":   "4545", // the first line, as glibc
		"tsl-both":  "4849", // the tcp line
		"tsl-a-service-name-longer-than-twenty-five": "4950",
	}
	for service, port := range found {
		t.Run(service, func(t *testing.T) {
			if _, got := boundAt(t, "", "127.0.0.1", service); got != "127.0.0.1:"+port {
				t.Errorf("bound to %s; want port %s", got, port)
			}
		})
	}
	for _, service := range []string{"X11", "tsl-upper", "TSL-ALIAS", "tsl-udp", "4444/tcp", "#", "comment"} {
		t.Run(service, func(t *testing.T) {
			fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("127.0.0.1", service)...)}.Run(t), "127.0.0.1 "+service+": unknown port")
		})
	}
	t.Run("port out of range", func(t *testing.T) {
		// glibc would truncate 65536 to port 0.
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("127.0.0.1", "tsl-bad-port")...)}.Run(t),
			"127.0.0.1 tsl-bad-port: /etc/services gives port 65536, out of range")
	})
	t.Run("no services file", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "mount -t tmpfs tmpfs /etc", tsl("127.0.0.1", "x11")...)}.Run(t), "127.0.0.1 x11: unknown port")
	})
	t.Run("services file unreadable", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "mount -t tmpfs tmpfs /etc && mkdir /etc/services", tsl("127.0.0.1", "x11")...)}.Run(t),
			"127.0.0.1 x11: reading /etc/services: is a directory")
	})
}

// decimalWhole matches what strtoul(s, &end, 10) reads to the end.
var decimalWhole = regexp.MustCompile(`^[ \t\n\v\f\r]*([+-]?)([0-9]+)$`)

func FuzzNumericService(f *testing.F) {
	for _, s := range []string{"0", "80", " 80", "\t0", "+5", "-1", "-0", "-", "+", "*", "**", "", "65535", "65536", "080",
		"0x50", "80 ", " ", "+-1", "99999999999999999999", "\v\f\r\n 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		port, err := lookupPort(s, true)
		want, ok := -1, false
		if m := decimalWhole.FindStringSubmatch(s); m != nil && m[1] != "-" {
			n, err := strconv.ParseUint(m[2], 10, 64)
			if ok = err == nil && n <= 65535; ok {
				want = int(n)
			}
		}
		if s == "*" {
			want, ok = 0, true
		}
		if ok != (err == nil) || ok && port != want {
			t.Fatalf("lookupPort(%q) = %d, %v; want %d, ok %v", s, port, err, want, ok)
		}
	})
}
