//go:build linux

package main

import (
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestNamesResolved(t *testing.T) {
	cases := []struct {
		host, service string
		want          string
	}{
		{"localhost", "tsl-test", "127.0.0.1:4242"},
		{"v6only.test", "tsl-other", "[::1]:4343"},
		{"v4only.test", "80", "127.0.0.1:80"},
		{"::1", "tsl-test", "[::1]:4242"},
	}
	for _, c := range cases {
		t.Run(c.host+" "+c.service, func(t *testing.T) {
			r := testkit.Launch{Argv: sandbox(t, "", tsl(c.host, c.service)...)}.Probed(t)
			if got := testkit.SocketAt(t, r, 3).Addr.String(); got != c.want {
				t.Errorf("bound to %s; want %s", got, c.want)
			}
		})
	}
	t.Run("unknown host", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("no-such-host.test", "80")...)}.Run(t), "no-such-host.test 80: no such host")
	})
	t.Run("unknown service", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("localhost", "no-such-service")...)}.Run(t), "localhost no-such-service: unknown port")
	})
	t.Run("numeric service refuses a name", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("--numeric-service", "localhost", "tsl-test")...)}.Run(t), "localhost tsl-test: not a port number")
	})
	// In the sandbox lo is the only interface: index 1.
	for _, host := range []string{"fe80::1%lo", "fe80::1%1"} {
		t.Run("zone "+host, func(t *testing.T) {
			r := testkit.Launch{Argv: sandbox(t, "ip -6 addr add fe80::1/64 dev lo nodad", tsl("-H", host, "0")...)}.Probed(t)
			if got := testkit.SocketAt(t, r, 3).Addr.Addr().String(); got != "fe80::1%1" {
				t.Errorf("bound to %s; want fe80::1 with scope id 1", got)
			}
		})
	}
}

func TestCheckInterfaces(t *testing.T) {
	const (
		v4 = "ip addr add 192.0.2.1/24 dev lo\n"
		v6 = "ip -6 addr add 2001:db8::1/64 dev lo nodad\n"
	)
	cases := []struct {
		name, setup, host string
		want              string // the address bound, or the error
	}{
		{"loopback only, IPv4", "", "127.0.0.1", "127.0.0.1"},
		{"loopback only, IPv6", "", "::1", "::1"},
		{"IPv4 configured, IPv4", v4, "127.0.0.1", "127.0.0.1"},
		{"IPv4 configured, IPv6", v4, "::1", "::1 0: no address in a family that any interface has"},
		{"IPv4 configured, both", v4, "dual.test", "127.0.0.1"},
		{"IPv6 configured, IPv6", v6, "::1", "::1"},
		{"IPv6 configured, IPv4", v6, "127.0.0.1", "127.0.0.1 0: no address in a family that any interface has"},
		{"IPv6 configured, both", v6, "dual.test", "::1"},
		{"both configured, IPv4", v4 + v6, "127.0.0.1", "127.0.0.1"},
		{"both configured, IPv6", v4 + v6, "::1", "::1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := testkit.Launch{Argv: sandbox(t, c.setup, tsl("--check-interfaces", c.host, "0")...)}.Run(t)
			if strings.Contains(c.want, ":") && strings.Contains(c.want, " ") {
				fails(t, res, c.want)
				return
			}
			if res.Report == nil {
				t.Fatalf("probe did not run; exit %d: %s", res.Exit, res.Stderr)
			}
			if got := testkit.SocketAt(t, res.Report, 3).Addr.Addr().String(); got != c.want {
				t.Errorf("bound to %s; want %s", got, c.want)
			}
		})
	}
	t.Run("without the option nothing is dropped", func(t *testing.T) {
		r := testkit.Launch{Argv: sandbox(t, v4, tsl("::1", "0")...)}.Probed(t)
		testkit.SocketAt(t, r, 3)
	})
}

func TestBindToAny(t *testing.T) {
	for _, ip := range []string{"192.0.2.99", "2001:db8::99"} {
		t.Run(ip, func(t *testing.T) {
			r := testkit.Launch{Argv: sandbox(t, "", tsl("--bind-to-any", ip, "0")...), SS: true}.Probed(t)
			s := testkit.SocketAt(t, r, 3)
			if s.Addr.Addr().String() != ip || s.FreeBind != 1 || s.AcceptConn != 1 {
				t.Errorf("socket %+v; want listening at %s with IP_FREEBIND", s, ip)
			}
			fails(t, testkit.Launch{Argv: sandbox(t, "", tsl(ip, "0")...)}.Run(t), "bind "+ip+" port 0: cannot assign requested address")
		})
	}
}
