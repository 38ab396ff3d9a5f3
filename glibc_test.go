//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// TestSameResolverWithCgo builds with cgo, as `go install` does where a C
// compiler is present, and checks that names resolve as in the static
// build. The nsswitch.conf names a source that package net does not know,
// which would hand the lookup to the C library, and glibc skips the hosts
// file's line for zoned.test, which Go's resolver reads.
func TestSameResolverWithCgo(t *testing.T) {
	cc, _ := exec.Command(testkit.Go(), "env", "CC").Output()
	if _, err := exec.LookPath(strings.TrimSpace(string(cc))); err != nil {
		t.Skipf("no C compiler (go env CC gives %q) for a cgo build", strings.TrimSpace(string(cc)))
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "tcp-socket-listen")
	build := exec.Command(testkit.Go(), "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cgo build: %v\n%s", err, out)
	}
	if info, _ := exec.Command(testkit.Go(), "version", "-m", bin).Output(); !regexp.MustCompile(`\bCGO_ENABLED=1\b`).Match(info) {
		t.Fatalf("the build is not a cgo build:\n%s", info)
	}
	nss := filepath.Join(dir, "nsswitch.conf")
	if err := os.WriteFile(nss, []byte("hosts: files resolve\nservices: files\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	setup := "mount --bind " + nss + " /etc/nsswitch.conf\nip -6 addr add fe80::1/64 dev lo nodad"
	for _, b := range []string{tslBinary, bin} {
		argv := sandbox(t, setup, b, "zoned.test", "4242", testkit.ProbePath())
		res := testkit.Launch{Argv: argv}.Run(t)
		if res.Report == nil {
			t.Errorf("%s: exit %d, %s; want zoned.test found in the hosts file", b, res.Exit, res.Stderr)
			continue
		}
		if got := testkit.SocketAt(t, res.Report, 3).Addr.String(); got != "[fe80::1%1]:4242" {
			t.Errorf("%s: zoned.test bound to %s; want fe80::1 with scope id 1", b, got)
		}
	}
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
				c := testkit.Launch{Argv: sandbox(t, setup.script, gai, q.host, q.service, glibcFlags)}.Run(t)
				want := strings.TrimSpace(c.Stdout)
				args := append(append([]string{}, q.opts...), q.host, q.service)
				got := firstAddress(t, testkit.Launch{Argv: sandbox(t, setup.script, tsl(args...)...)}.Run(t))
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
func firstAddress(t *testing.T, res testkit.Result) string {
	t.Helper()
	if res.Report != nil {
		s := testkit.SocketAt(t, res.Report, 3)
		return map[int]string{inet: "4", inet6: "6"}[s.Family] + " " + s.Addr.Addr().WithZone("").String() + " " + strconv.Itoa(int(s.Addr.Port()))
	}
	if m := bindFailed.FindStringSubmatch(res.Stderr); m != nil {
		family := "4"
		if strings.Contains(m[1], ":") {
			family = "6"
		}
		ip, _, _ := strings.Cut(m[1], "%")
		return family + " " + ip + " " + m[2]
	}
	return "error " + strings.TrimSpace(res.Stderr)
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
