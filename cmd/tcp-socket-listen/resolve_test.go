//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-tools/internal/diag"
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
	r := launch{argv: sandbox(t, setup, tsl(args...)...)}.probed(t)
	s := socketAt(t, r, 3)
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
		r := launch{argv: tsl(args...)}.probed(t)
		if s := socketAt(t, r, 3); s.Addr.Addr().String() != "127.0.0.1" || s.Addr.Port() == 0 {
			t.Errorf("%q: bound to %v; want 127.0.0.1 at a port the kernel chose", args, s.Addr)
		}
	}
	// getaddrinfo refuses a call with neither host nor service.
	fails(t, launch{argv: tsl("*", "*")}.run(t), "* *: no host and no service")
	fails(t, launch{argv: tsl("-H", "--numeric-service", "*", "*")}.run(t), "* *: no host and no service")
	// Only "*" itself is the wildcard.
	fails(t, launch{argv: tsl("-H", "**", "0")}.run(t), "** 0: not a numeric IP address")
	fails(t, launch{argv: tsl("--numeric-service", "127.0.0.1", "**")}.run(t), "127.0.0.1 **: not a port number")
}

func TestNumericServiceAsStrtoul(t *testing.T) {
	port := freePort(t)
	for _, service := range []string{port, " " + port, "\t" + port, "\n\v\f\r " + port, "+" + port, " +" + port, "0" + port} {
		for _, opts := range [][]string{nil, {"--numeric-service"}} {
			args := append(append([]string{}, opts...), "127.0.0.1", service)
			r := launch{argv: tsl(args...)}.probed(t)
			if got := socketAt(t, r, 3).Addr.String(); got != "127.0.0.1:"+port {
				t.Errorf("%q: bound to %s; want port %s", args, got, port)
			}
		}
	}
	r := launch{argv: tsl("--numeric-service", "127.0.0.1", "\t0")}.probed(t)
	if s := socketAt(t, r, 3); s.Addr.Port() == 0 {
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
			fails(t, launch{argv: tsl(args...)}.run(t), "127.0.0.1 "+diag.Quote(c.service)+": "+c.want)
		}
	}
}

func TestSignAloneIsNotAService(t *testing.T) {
	// Not numbers: service names, or with --numeric-service errors.
	// Package net's LookupPort took "-" and "+" for port 0.
	for _, service := range []string{"-", "+", " ", "+-1", "- 1", "80 ", "0x50", "8 0", "+ 80"} {
		t.Run(diag.Quote(service), func(t *testing.T) {
			fails(t, launch{argv: tsl("--numeric-service", "127.0.0.1", service)}.run(t), "127.0.0.1 "+diag.Quote(service)+": not a port number")
			fails(t, launch{argv: sandbox(t, "", tsl("127.0.0.1", service)...)}.run(t), "127.0.0.1 "+diag.Quote(service)+": unknown port")
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
			fails(t, launch{argv: sandbox(t, "", tsl("127.0.0.1", service)...)}.run(t), "127.0.0.1 "+service+": unknown port")
		})
	}
	t.Run("port out of range", func(t *testing.T) {
		// glibc would truncate 65536 to port 0.
		fails(t, launch{argv: sandbox(t, "", tsl("127.0.0.1", "tsl-bad-port")...)}.run(t),
			"127.0.0.1 tsl-bad-port: /etc/services gives port 65536, out of range")
	})
	t.Run("no services file", func(t *testing.T) {
		fails(t, launch{argv: sandbox(t, "mount -t tmpfs tmpfs /etc", tsl("127.0.0.1", "x11")...)}.run(t), "127.0.0.1 x11: unknown port")
	})
	t.Run("services file unreadable", func(t *testing.T) {
		fails(t, launch{argv: sandbox(t, "mount -t tmpfs tmpfs /etc && mkdir /etc/services", tsl("127.0.0.1", "x11")...)}.run(t),
			"127.0.0.1 x11: reading /etc/services: is a directory")
	})
}

func TestZoneNameOnlyForLinkLocal(t *testing.T) {
	for _, host := range []string{"::1%lo", "::%lo", "::ffff:127.0.0.1%lo", "2001:db8::1%lo", "ff05::1%lo"} {
		for _, opts := range [][]string{nil, {"-H"}} {
			args := append(append([]string{}, opts...), host, "0")
			fails(t, launch{argv: sandbox(t, "", tsl(args...)...)}.run(t), host+" 0: zone lo: an interface name is only for a link-local address")
		}
	}
	// Narrowed to IPv4, the mapped address is read with its zone first.
	fails(t, launch{argv: sandbox(t, addV4, tsl("--check-interfaces", "::ffff:127.0.0.1%lo", "0")...)}.run(t),
		"::ffff:127.0.0.1%lo 0: zone lo: an interface name is only for a link-local address")
	// A number names the interface for any address; Linux uses it only
	// for a link-local one.
	for _, host := range []string{"::1%1", "::1%0"} {
		if _, got := boundAt(t, "", "-H", host, "0"); !strings.HasPrefix(got, "[::1]:") {
			t.Errorf("%s: bound to %s; want ::1", host, got)
		}
	}
	fails(t, launch{argv: sandbox(t, "", tsl("-H", "fe80::1%no-such-if", "0")...)}.run(t), "fe80::1%no-such-if 0: unknown interface no-such-if")
	fails(t, launch{argv: sandbox(t, "", tsl("-H", "::1%1x", "0")...)}.run(t), "::1%1x 0: unknown interface 1x")
	fails(t, launch{argv: sandbox(t, "", tsl("-H", "::1%4294967296", "0")...)}.run(t), "::1%4294967296 0: unknown interface 4294967296")
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
	fails(t, launch{argv: sandbox(t, addV4, tsl("--check-interfaces", "::1", "0")...)}.run(t),
		"::1 0: no address in a family that any interface has")
	// Not narrowed, the names keep their IPv6 address.
	for _, setup := range []string{"", addV4 + addV6} {
		if family, got := boundAt(t, setup, "--check-interfaces", "ip6-localhost", "4242"); family != inet6 || got != "[::1]:4242" {
			t.Errorf("setup %q: family %d, bound to %s; want [::1]:4242", setup, family, got)
		}
	}
	// Narrowed to IPv6, an IPv4-mapped address stays IPv6, as in glibc:
	// the kernel will not bind it to an IPv6-only socket.
	fails(t, launch{argv: sandbox(t, addV6, tsl("--check-interfaces", "::ffff:127.0.0.1", "0")...)}.run(t),
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

func TestMessagesNameTheProgram(t *testing.T) {
	// runAs runs the binary with argv[0] set to name.
	runAs := func(name string, args ...string) (stdout, stderr string, exit int) {
		t.Helper()
		cmd := &exec.Cmd{Path: tslBinary, Args: append([]string{name}, args...)}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			exit = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("running as %q: %v", name, err)
		}
		return o.String(), e.String(), exit
	}
	forged := "x\nFORGED: all is well"
	_, stderr, exit := runAs(forged, "--bogus")
	if want := `"x\nFORGED: all is well": FATAL: --bogus: unknown option` + "\n"; stderr != want || exit != 1 {
		t.Errorf("exit %d, stderr %q; want %q", exit, stderr, want)
	}
	_, stderr, _ = runAs("/some/dir/two words", "--bogus")
	if want := `"two words": FATAL: --bogus: unknown option` + "\n"; stderr != want {
		t.Errorf("stderr %q; want %q", stderr, want)
	}
	// The usage line names the program as the errors do.
	for _, name := range []string{"/some/dir/other-name", forged} {
		stdout, _, exit := runAs(name, "--usage")
		want := "Usage: " + diag.Quote(filepath.Base(name)) + " [OPTION...] {host} {service} {next-prog...}\n"
		if stdout != want || exit != 0 {
			t.Errorf("--usage as %q: exit %d, stdout %q; want %q", name, exit, stdout, want)
		}
		stdout, _, _ = runAs(name, "--help")
		if !strings.HasPrefix(stdout, want) {
			t.Errorf("--help as %q: stdout %q; want it to start %q", name, stdout, want)
		}
	}
	// An empty argv[0] gives the program's own name.
	if _, stderr, _ := runAs("", "--bogus"); stderr != "tcp-socket-listen: FATAL: --bogus: unknown option\n" {
		t.Errorf("empty argv[0]: stderr %q", stderr)
	}
	// Package net's own naming of the service is not repeated.
	fails(t, launch{argv: tsl("127.0.0.1", "-1")}.run(t), "127.0.0.1 -1: negative port number")
}

// TestSameResolverWithCgo builds with cgo, as `go install` does where a C
// compiler is present, and checks that names resolve as in the static
// build. The nsswitch.conf names a source that package net does not know,
// which would hand the lookup to the C library, and glibc skips the hosts
// file's line for zoned.test, which Go's resolver reads.
func TestSameResolverWithCgo(t *testing.T) {
	cc, _ := exec.Command("go", "env", "CC").Output()
	if _, err := exec.LookPath(strings.TrimSpace(string(cc))); err != nil {
		t.Skipf("no C compiler (go env CC gives %q) for a cgo build", strings.TrimSpace(string(cc)))
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tcp-socket-listen")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cgo build: %v\n%s", err, out)
	}
	if info, _ := exec.Command("go", "version", "-m", bin).Output(); !regexp.MustCompile(`\bCGO_ENABLED=1\b`).Match(info) {
		t.Fatalf("the build is not a cgo build:\n%s", info)
	}
	nss := filepath.Join(dir, "nsswitch.conf")
	if err := os.WriteFile(nss, []byte("hosts: files resolve\nservices: files\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := "mount --bind " + nss + " /etc/nsswitch.conf\nip -6 addr add fe80::1/64 dev lo nodad"
	for _, b := range []string{tslBinary, bin} {
		argv := sandbox(t, setup, b, "zoned.test", "4242", probePath())
		res := launch{argv: argv}.run(t)
		if res.r == nil {
			t.Errorf("%s: exit %d, %s; want zoned.test found in the hosts file", b, res.exit, res.stderr)
			continue
		}
		if got := socketAt(t, res.r, 3).Addr.String(); got != "[fe80::1%1]:4242" {
			t.Errorf("%s: zoned.test bound to %s; want fe80::1 with scope id 1", b, got)
		}
	}
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

func TestInterfaceListingErrors(t *testing.T) {
	// With no descriptor free there is no room for the netlink socket
	// that lists interfaces. The failure is named as such, not as an
	// unknown interface, and without package net's "route ip+net:". The
	// binary cannot be brought to this point from outside (reading the
	// environment needs the same one descriptor, earlier), so the test
	// binary runs resolve itself, in a process of its own, once it has
	// filled every descriptor below its limit.
	cases := map[string]string{
		"-H fe80::1%lo 0":                "fe80::1%lo 0: interface lo: netlinkrib: too many open files",
		"--check-interfaces 127.0.0.1 0": "127.0.0.1 0: listing interface addresses: netlinkrib: too many open files",
	}
	for args, want := range cases {
		cmd := exec.Command(probePath())
		cmd.Env = []string{"PROBE_RESOLVE_WITHOUT_ROOM=" + args}
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != want+"\n" {
			t.Errorf("%s: %v, output %q; want %q", args, err, out, want)
		}
	}
}

// resolveWithoutRoom parses args as tcp-socket-listen's command line
// (with a next-prog added), fills every free descriptor below a limit
// just above the highest open one, runs resolve, and prints its error.
func resolveWithoutRoom(args []string) int {
	c, _, err := parseArgs(append(args, "true"))
	if err != nil {
		os.Stdout.WriteString("parse: " + err.Error() + "\n")
		return 1
	}
	high := 0
	for fd := range inheritedFDs() {
		high = max(high, fd)
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil {
			high = max(high, fd)
		}
	}
	lim := syscall.Rlimit{Cur: uint64(high + 1), Max: uint64(high + 1)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		os.Stdout.WriteString("setrlimit: " + err.Error() + "\n")
		return 1
	}
	for {
		if _, err := syscall.Dup(2); err != nil {
			break
		}
	}
	_, err = resolve(c)
	if err == nil {
		os.Stdout.WriteString("resolved\n")
		return 1
	}
	os.Stdout.WriteString(err.Error() + "\n")
	return 0
}

// TestAgainstGlibc runs the C library's getaddrinfo (testdata/gai.c) and
// tcp-socket-listen side by side in the sandbox, on every case where this
// program means to agree with glibc, and compares the first address. The
// documented differences (a minus sign, ports past 65535, hosts-file
// entries that are IPv4-mapped or zoned) are tested on their own above.
func TestAgainstGlibc(t *testing.T) {
	gai := buildGai(t)
	type query struct {
		host, service string
		opts          []string
	}
	var hostQueries, serviceQueries []query
	for _, host := range []string{"*", "127.0.0.1", "127.1", "0", "::1", "::", "::ffff:127.0.0.1", "::ffff:127.0.0.1%1",
		"::1%lo", "::%lo", "::ffff:127.0.0.1%lo", "::1%1", "fe80::1%lo", "fe80::1%1", "fe80::1%no-such-if",
		"localhost", "ip6-localhost", "v4only.test", "v6only.test", "dual.test", "no-such-host.test"} {
		for _, opts := range [][]string{nil, {"--check-interfaces"}, {"-H", "--check-interfaces"}, {"-H"}} {
			hostQueries = append(hostQueries, query{host, "4242", opts})
		}
	}
	for _, service := range []string{"0", "*", " 4242", "\t4242", "+4242", "04242", "65535", "4242 ", "0x10", "-", "+", "-1",
		"tsl-test", "x11", "X11", "TSL-Upper", "tsl-upper", "tsl-alias", "tsl-dup", "tsl-udp", "tsl-both",
		"tsl-a-service-name-longer-than-twenty-five", "no-such-service"} {
		for _, opts := range [][]string{nil, {"--numeric-service"}} {
			serviceQueries = append(serviceQueries, query{"127.0.0.1", service, opts})
		}
	}
	serviceQueries = append(serviceQueries, query{"*", "*", nil}, query{"127.0.0.1", "*", []string{"-H", "--numeric-service"}})
	setups := []struct{ name, script string }{
		{"loopback only", ""}, {"IPv4 configured", addV4}, {"IPv6 configured", addV6}, {"both configured", addV4 + addV6},
	}
	for _, setup := range setups {
		t.Run(setup.name, func(t *testing.T) {
			queries := hostQueries
			if setup.script == "" {
				queries = append(queries, serviceQueries...)
			}
			for _, q := range queries {
				glibcFlags := ""
				for _, o := range q.opts {
					glibcFlags += map[string]string{"-H": "h", "--numeric-service": "s", "--check-interfaces": "a"}[o]
				}
				c := launch{argv: sandbox(t, setup.script, gai, q.host, q.service, glibcFlags)}.run(t)
				want := strings.TrimSpace(c.stdout)
				args := append(append([]string{}, q.opts...), q.host, q.service)
				got := firstAddress(t, launch{argv: sandbox(t, setup.script, tsl(args...)...)}.run(t))
				if !agrees(got, want) {
					t.Errorf("%q: tcp-socket-listen %s; glibc %s", args, got, want)
				}
			}
		})
	}
}

// buildGai compiles testdata/gai.c, or skips the test.
func buildGai(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) to build testdata/gai.c, the glibc side of the comparison")
	}
	bin := filepath.Join(t.TempDir(), "gai")
	if out, err := exec.Command(cc, "-o", bin, "testdata/gai.c").CombinedOutput(); err != nil {
		t.Fatalf("building testdata/gai.c: %v\n%s", err, out)
	}
	return bin
}

// bindFailed is tcp-socket-listen's message when it resolved, but the
// kernel would not bind.
var bindFailed = regexp.MustCompile(`: FATAL: bind (\S+) port (\d+): `)

// firstAddress is what tcp-socket-listen resolved to, as gai.c writes it:
// "4 ADDR PORT", "6 ADDR PORT", or "error" and its message.
func firstAddress(t *testing.T, res result) string {
	t.Helper()
	if res.r != nil {
		s := socketAt(t, res.r, 3)
		return map[int]string{inet: "4", inet6: "6"}[s.Family] + " " + s.Addr.Addr().WithZone("").String() + " " + strconv.Itoa(int(s.Addr.Port()))
	}
	if m := bindFailed.FindStringSubmatch(res.stderr); m != nil {
		family := "4"
		if strings.Contains(m[1], ":") {
			family = "6"
		}
		ip, _, _ := strings.Cut(m[1], "%")
		return family + " " + ip + " " + m[2]
	}
	return "error " + strings.TrimSpace(res.stderr)
}

// agrees compares firstAddress's answer with gai.c's: both errors, or
// the same family and address, and the same port unless glibc's is 0,
// for which the kernel chose one.
func agrees(got, want string) bool {
	g, w := strings.Fields(got), strings.Fields(want)
	switch {
	case len(g) == 0 || len(w) == 0:
		return false
	case g[0] == "error" || w[0] == "error":
		return g[0] == w[0]
	}
	return len(g) == 3 && len(w) == 3 && g[0] == w[0] && g[1] == w[1] && (g[2] == w[2] || w[2] == "0")
}
