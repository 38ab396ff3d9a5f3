//go:build linux

package main

import (
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// Host and service as glibc's getaddrinfo reads them. The expectations
// below were measured with glibc 2.36's getaddrinfo (AI_PASSIVE,
// SOCK_STREAM, with and without AI_ADDRCONFIG) in the same sandbox.

const (
	addV4 = "ip addr add 192.0.2.1/24 dev lo\n"
	addV6 = "ip -6 addr add 2001:db8::1/64 dev lo nodad\n"
)

// boundAt runs tcp-socket-listen with args in the sandbox after setup and
// gives the address of the socket that the probe found on descriptor 3.
func boundAt(t *testing.T, setup string, args ...string) (family int, addr string) {
	t.Helper()
	r := testkit.Launch{Argv: sandbox(t, setup, tsl(args...)...)}.Probed(t)
	s := testkit.SocketAt(t, r, 3)
	return s.Family, s.Addr.String()
}

func TestWildcardHost(t *testing.T) {
	// glibc makes :: and 0.0.0.0 for no host, sorts them 0.0.0.0 first,
	// and AI_ADDRCONFIG narrows them to the one configured family.
	cases := []struct {
		name, setup  string
		plain, check string // first address, without and with --check-interfaces
	}{
		{"loopback only", "", "0.0.0.0", "0.0.0.0"},
		{"IPv4 configured", addV4, "0.0.0.0", "0.0.0.0"},
		{"IPv6 configured", addV6, "0.0.0.0", "::"},
		{"both configured", addV4 + addV6, "0.0.0.0", "0.0.0.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, opts := range [][]string{nil, {"-H"}, {"--numeric-host", "--numeric-service"}} {
				for _, check := range []bool{false, true} {
					args, want := opts, c.plain
					if check {
						args, want = append(append([]string{}, opts...), "--check-interfaces"), c.check
					}
					args = append(append([]string{}, args...), "*", "4242")
					if _, got := boundAt(t, c.setup, args...); got != joinHostPort(want, "4242") {
						t.Errorf("%q: bound to %s; want %s port 4242", args, got, want)
					}
				}
			}
		})
	}
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

func TestWildcardService(t *testing.T) {
	for _, opts := range [][]string{nil, {"--numeric-service"}, {"-H", "--numeric-service"}} {
		args := append(append([]string{}, opts...), "127.0.0.1", "*")
		r := testkit.Launch{Argv: tsl(args...)}.Probed(t)
		if s := testkit.SocketAt(t, r, 3); s.Addr.Addr().String() != "127.0.0.1" || s.Addr.Port() == 0 {
			t.Errorf("%q: bound to %v; want 127.0.0.1 at a port the kernel chose", args, s.Addr)
		}
	}
	// getaddrinfo refuses a call with neither host nor service.
	fails(t, testkit.Launch{Argv: tsl("*", "*")}.Run(t), "* *: no host and no service")
	fails(t, testkit.Launch{Argv: tsl("-H", "--numeric-service", "*", "*")}.Run(t), "* *: no host and no service")
	// Only "*" itself is the wildcard.
	fails(t, testkit.Launch{Argv: tsl("-H", "**", "0")}.Run(t), "** 0: not a numeric IP address")
	fails(t, testkit.Launch{Argv: tsl("--numeric-service", "127.0.0.1", "**")}.Run(t), "127.0.0.1 **: not a port number")
}

func TestZoneNameOnlyForLinkLocal(t *testing.T) {
	for _, host := range []string{"::1%lo", "::%lo", "::ffff:127.0.0.1%lo", "2001:db8::1%lo", "ff05::1%lo"} {
		for _, opts := range [][]string{nil, {"-H"}} {
			args := append(append([]string{}, opts...), host, "0")
			fails(t, testkit.Launch{Argv: sandbox(t, "", tsl(args...)...)}.Run(t), host+" 0: zone lo: an interface name is only for a link-local address")
		}
	}
	// Narrowed to IPv4, the mapped address is read with its zone first.
	fails(t, testkit.Launch{Argv: sandbox(t, addV4, tsl("--check-interfaces", "::ffff:127.0.0.1%lo", "0")...)}.Run(t),
		"::ffff:127.0.0.1%lo 0: zone lo: an interface name is only for a link-local address")
	// A number names the interface for any address; Linux uses it only
	// for a link-local one.
	for _, host := range []string{"::1%1", "::1%0"} {
		if _, got := boundAt(t, "", "-H", host, "0"); !strings.HasPrefix(got, "[::1]:") {
			t.Errorf("%s: bound to %s; want ::1", host, got)
		}
	}
	fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("-H", "fe80::1%no-such-if", "0")...)}.Run(t), "fe80::1%no-such-if 0: unknown interface no-such-if")
	fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("-H", "::1%1x", "0")...)}.Run(t), "::1%1x 0: unknown interface 1x")
	fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("-H", "::1%4294967296", "0")...)}.Run(t), "::1%4294967296 0: unknown interface 4294967296")
}

func TestCheckInterfacesNarrowsToIPv4(t *testing.T) {
	// With only IPv4 configured, glibc asks for IPv4 alone: an IPv4-mapped
	// address is read as IPv4, and the hosts file's ::1 as 127.0.0.1.
	for _, host := range []string{"::ffff:127.0.0.1", "::ffff:127.0.0.1%1", "ip6-localhost", "v6only.test", "dual.test", "mapped.test"} {
		t.Run(host, func(t *testing.T) {
			family, got := boundAt(t, addV4, "--check-interfaces", host, "4242")
			if family != inet || got != "127.0.0.1:4242" {
				t.Errorf("family %d, bound to %s; want IPv4 127.0.0.1:4242", family, got)
			}
		})
	}
	// A numeric ::1 is not turned round: glibc says EAI_ADDRFAMILY.
	fails(t, testkit.Launch{Argv: sandbox(t, addV4, tsl("--check-interfaces", "::1", "0")...)}.Run(t),
		"::1 0: no address in a family that any interface has")
	// Not narrowed, the names keep their IPv6 address.
	for _, setup := range []string{"", addV4 + addV6} {
		if family, got := boundAt(t, setup, "--check-interfaces", "ip6-localhost", "4242"); family != inet6 || got != "[::1]:4242" {
			t.Errorf("setup %q: family %d, bound to %s; want [::1]:4242", setup, family, got)
		}
	}
	// Narrowed to IPv6, an IPv4-mapped address stays IPv6, as in glibc:
	// the kernel will not bind it to an IPv6-only socket.
	fails(t, testkit.Launch{Argv: sandbox(t, addV6, tsl("--check-interfaces", "::ffff:127.0.0.1", "0")...)}.Run(t),
		"bind ::ffff:127.0.0.1 port 0: invalid argument")
}

func TestHostsFileEntriesKept(t *testing.T) {
	// Documented differences from glibc, pinned: an entry written as an
	// IPv4-mapped address is bound as IPv4 (glibc binds it as IPv6), and
	// an entry with a zone is used (glibc skips the line).
	if family, got := boundAt(t, "", "mapped.test", "4242"); family != inet || got != "127.0.0.1:4242" {
		t.Errorf("mapped.test: family %d, bound to %s; want IPv4 127.0.0.1:4242", family, got)
	}
	if _, got := boundAt(t, "ip -6 addr add fe80::1/64 dev lo nodad", "zoned.test", "4242"); got != "[fe80::1%1]:4242" {
		t.Errorf("zoned.test: bound to %s; want fe80::1 with scope id 1", got)
	}
}
