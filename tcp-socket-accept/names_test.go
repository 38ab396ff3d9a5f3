//go:build linux

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// -h and -p: the server looks up its clients' names in /etc/hosts, then
// with a DNS server of the test's own, on loopback, named by an
// /etc/resolv.conf that a private mount namespace puts in place of the
// system's, with /etc/hosts and /etc/nsswitch.conf of the test's too.

// The test zone. 127.0.0.2 is named in mixed case, and its name gives
// its address back; 127.0.0.3's name gives another address; 127.0.0.4's
// question is never answered; 127.0.0.5 has no name; 127.0.0.6 is named
// in /etc/hosts alone.
var namesZone = testkit.DNSZone{
	Answers: map[string][]string{
		"PTR 2.0.0.127.in-addr.arpa.":  {"Client-Two.Example.ORG."},
		"A client-two.example.org.":    {"127.0.0.2"},
		"PTR 3.0.0.127.in-addr.arpa.":  {"liar.example.org."},
		"A liar.example.org.":          {"127.0.0.99"},
		"PTR 7.0.0.127.in-addr.arpa.":  {"deep.mail.example.org."},
		"A deep.mail.example.org.":     {"127.0.0.7"},
		"PTR 8.1.0.127.in-addr.arpa.":  {"pre.example.org."},
		"A pre.example.org.":           {"127.0.1.8"},
		"PTR 9.0.0.127.in-addr.arpa.":  {"Odd Name.example.org."},
		"A odd name.example.org.":      {"127.0.0.9"},
		"PTR 10.0.0.127.in-addr.arpa.": {"127.0.0.10."},
		"PTR 11.0.0.127.in-addr.arpa.": {"mixed.example.org."},
		"A mixed.example.org.":         {"127.0.0.11"},
	},
	Silent: map[string]bool{"PTR 4.0.0.127.in-addr.arpa.": true},
}

const namesHosts = "127.0.0.1 localhost\n127.0.0.6 Files-Only.test\n::11 mixed.example.org\n"

// dnsAddrs hands each test a DNS server address of its own.
var dnsAddrs struct {
	sync.Mutex
	next int
}

// nameSandbox starts the test's DNS server and returns argv wrapped to
// run with it: in a private mount namespace (root only; the test is
// skipped, saying why, otherwise), where resolv.conf's options are
// resolvOptions.
func nameSandbox(t *testing.T, resolvOptions string, argv ...string) ([]string, *testkit.DNSServer) {
	t.Helper()
	return nameSandboxWith(t, func(ip string) string {
		return "nameserver " + ip + "\noptions " + resolvOptions + "\n"
	}, argv...)
}

// nameSandboxWith is nameSandbox with the resolv.conf that resolv writes
// for the DNS server at ip.
func nameSandboxWith(t *testing.T, resolv func(ip string) string, argv ...string) ([]string, *testkit.DNSServer) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: a DNS server on port 53 of a loopback address, and a private mount namespace for /etc/resolv.conf")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skipf("unshare (util-linux): %v", err)
	}
	dnsAddrs.Lock()
	dnsAddrs.next = dnsAddrs.next%250 + 1
	ip := fmt.Sprintf("127.53.0.%d", dnsAddrs.next)
	dnsAddrs.Unlock()
	dns := testkit.StartDNS(t, ip+":53", namesZone)
	dir := t.TempDir()
	files := map[string]string{
		"resolv.conf":   resolv(ip),
		"hosts":         namesHosts,
		"nsswitch.conf": "hosts: files dns\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return testkit.WithEtc(unshare, dir, argv...), dns
}

// remoteHostOf connects from src and returns the child's TCPREMOTEHOST,
// and whether it was set.
func remoteHostOf(t *testing.T, s *running, src, addr string) (string, bool) {
	t.Helper()
	c := dialFrom(t, src, addr)
	defer c.Close()
	r := s.readReportWithin(portOf(c.LocalAddr()), lookupTime+10*time.Second)
	return getenv(r.Raw, "TCPREMOTEHOST")
}

// TestRemoteHost: with -h, TCPREMOTEHOST is the client's name, in lower
// case and without the final dot, from /etc/hosts first, then DNS; a
// client without a name gets none, and an inherited TCPREMOTEHOST is not
// passed on. -H after -h, and no -h, ask nothing.
func TestRemoteHost(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv, dns := nameSandbox(t, "timeout:5", accept("-h")...)
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}, env: []string{"TCPREMOTEHOST=stale"}})
	for _, c := range []struct {
		src, host string
	}{
		{"127.0.0.2", "client-two.example.org"},
		{"127.0.0.3", "liar.example.org"},
		{"127.0.0.5", ""},
		{"127.0.0.6", "files-only.test"},
		{"127.0.0.1", "localhost"},
	} {
		host, set := remoteHostOf(t, s, c.src, addr)
		if host != c.host || set != (c.host != "") {
			t.Errorf("client %s: TCPREMOTEHOST %q (set: %v); want %q; stderr:\n%s", c.src, host, set, c.host, s.log())
		}
	}
	if n := dns.Asked("PTR 6.0.0.127.in-addr.arpa."); n != 0 {
		t.Errorf("127.0.0.6, named in /etc/hosts, was asked of DNS %d times", n)
	}
	if n := dns.Asked("PTR 2.0.0.127.in-addr.arpa."); n != 1 {
		t.Errorf("127.0.0.2's name was asked %d times; want once", n)
	}
	for _, opts := range [][]string{{"-h", "-H"}, {"-hH"}, {}} {
		l, addr := listener(t, "127.0.0.1", -1)
		argv, dns := nameSandbox(t, "timeout:5", accept(opts...)...)
		s := start(t, serverSpec{argv: argv, files: []*os.File{l}, env: []string{"TCPREMOTEHOST=stale"}})
		if host, set := remoteHostOf(t, s, "127.0.0.2", addr); set {
			t.Errorf("%q: TCPREMOTEHOST %q; want none", opts, host)
		}
		if n := dns.AskedAny(); n != 0 {
			t.Errorf("%q: %d questions asked; want none", opts, n)
		}
	}
}

// TestParanoid: with -p, a name is kept only if its addresses include the
// client's; Debian's tcpserver, asking the same DNS server, keeps the
// same names, with -h and with -hp, and writes them alike, a byte that
// is not a letter, digit, '-' or '_' in octal (127.0.0.9's space, which
// -p's query sends as the byte); a name in dotted form is its own
// address (127.0.0.10's); and 127.0.0.11's name, which /etc/hosts gives
// an IPv6 address alone, is confirmed by DNS, as tcpserver confirms it.
func TestParanoid(t *testing.T) {
	tcpserver := testkit.SystemProgram(t, "tcpserver", "ucspi-tcp")
	clients := []string{"127.0.0.2", "127.0.0.3", "127.0.0.5", "127.0.0.7", "127.0.0.9", "127.0.0.10", "127.0.0.11"}
	for _, opts := range [][]string{{"-h"}, {"-hp"}, {"-p", "-h"}, {"-hpP"}} {
		l, addr := listener(t, "127.0.0.1", -1)
		argv, dns := nameSandbox(t, "timeout:5", accept(opts...)...)
		s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
		// tcpserver asks the DNS server that $DNSCACHEIP names.
		ip, _, _ := net.SplitHostPort(dns.Addr)
		theirs, port := printedPortOf(t, serverSpec{argv: append(append([]string{tcpserver, "-1", "-R", "-l0"}, opts...), "127.0.0.1", "0", testkit.ProbePath()), env: []string{"DNSCACHEIP=" + ip}})
		for _, src := range clients {
			ours, oursSet := remoteHostOf(t, s, src, addr)
			want, wantSet := remoteHostOf(t, theirs, src, "127.0.0.1:"+port)
			if ours != want || oursSet != wantSet {
				t.Errorf("%q, client %s: TCPREMOTEHOST %q (set: %v); tcpserver's %q (set: %v)", opts, src, ours, oursSet, want, wantSet)
			}
		}
	}
}

// TestHostRules: with -h, =host, =.suffix and = rules decide as
// tcprulescheck decides with TCPREMOTEHOST set to the name found, in its
// order among the address's rules; a client without a name meets the
// address's rules alone. An IPv4 client of a combined IPv6 socket is
// named, and ruled, by its IPv4 address.
func TestHostRules(t *testing.T) {
	cdb := compileRules(t, t.TempDir(), "rules.cdb", hostRules)
	for _, host := range []string{"127.0.0.1", "::"} {
		if host == "::" {
			if l6, err := net.Listen("tcp6", "[::1]:0"); err != nil {
				t.Skipf("no IPv6 loopback: %v", err)
			} else {
				l6.Close()
			}
		}
		l, addr := listener(t, host, 0)
		_, port, _ := net.SplitHostPort(addr)
		addr = "127.0.0.1:" + port
		argv, dns := nameSandbox(t, "timeout:5", accept("-v", "-h", "-x", cdb)...)
		s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
		for _, c := range []struct{ src, name string }{
			{"127.0.0.2", "client-two.example.org"}, {"127.0.0.3", "liar.example.org"}, {"127.0.0.7", "deep.mail.example.org"},
			{"127.0.1.8", "pre.example.org"}, {"127.0.0.5", ""}, {"127.0.0.6", "files-only.test"},
		} {
			want := rulescheckNamedOK(t, cdb, c.src, c.name)
			conn := dialFrom(t, c.src, addr)
			if want.deny {
				if !closedAtOnce(t, conn) {
					t.Errorf("%s, client %s: not closed at once; tcprulescheck denies it by %q", host, c.src, want.rule)
				}
				port := portOf(conn.LocalAddr())
				conn.Close()
				s.waitLog(`(?m)^tcp-socket-accept: refused \S+ ` + port + ` rule ` + regexp.QuoteMeta(want.rule) + `:deny$`)
				continue
			}
			r := s.readReportWithin(portOf(conn.LocalAddr()), 20*time.Second)
			conn.Close()
			who, _ := getenv(r.Raw, "WHO")
			name, _ := getenv(r.Raw, "TCPREMOTEHOST")
			if "WHO="+who != strings.Join(want.env, "") || name != c.name {
				t.Errorf("%s, client %s: WHO=%s, TCPREMOTEHOST=%q; tcprulescheck says %q by %q for %q; stderr:\n%s", host, c.src, who, name, want.env, want.rule, c.name, s.log())
			}
		}
		if n := dns.Asked("PTR 2.0.0.127.in-addr.arpa."); n != 1 {
			t.Errorf("%s: 127.0.0.2's name asked %d times by its IPv4 address; want once", host, n)
		}
	}
}

// rulescheckNamedOK is rulescheckNamed for rules it can read.
func rulescheckNamedOK(t *testing.T, cdb, ip, host string) oracle {
	t.Helper()
	o, failed := rulescheckNamed(t, cdb, ip, host)
	if failed {
		t.Fatalf("tcprulescheck could not read %s", cdb)
	}
	return o
}

// TestDeadDNS: a DNS server that never answers holds up only the client
// whose name it was asked: others are served meanwhile, a SIGHUP is
// acted on (a child that holds its connection gets its SIGTERM), and the
// client is served without a name once lookupTime has
// passed, resolv.conf's own timeout being longer; a SIGTERM ends the
// server at once, without waiting for the lookup.
func TestDeadDNS(t *testing.T) {
	t.Run("served", func(t *testing.T) {
		t.Parallel()
		l, addr := listener(t, "127.0.0.1", -1)
		argv, dns := nameSandbox(t, "timeout:30 attempts:1", accept("-v", "-h", "-c", "3")...)
		s := start(t, serverSpec{argv: argv, files: []*os.File{l}, env: []string{"PROBE_MODE=hold"}})
		began := time.Now()
		hung := dialFrom(t, "127.0.0.4", addr)
		defer hung.Close()
		for dns.Asked("PTR 4.0.0.127.in-addr.arpa.") == 0 {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("the server never asked 127.0.0.4's name; stderr:\n%s", s.log())
			}
			time.Sleep(10 * time.Millisecond)
		}
		for i := 0; i < 3; i++ {
			if host, _ := remoteHostOf(t, s, "127.0.0.2", addr); host != "client-two.example.org" {
				t.Errorf("a client served while another's name is looked up: TCPREMOTEHOST %q", host)
			}
		}
		// A child that holds its connection gets the SIGHUP's SIGTERM
		// while the lookup is in progress.
		held := dialFrom(t, "127.0.0.2", addr)
		defer held.Close()
		s.readReport(portOf(held.LocalAddr()))
		s.proc.Signal(syscall.SIGHUP)
		s.waitLog(`ended status 2 code 15 `)
		if host, _ := remoteHostOf(t, s, "127.0.0.2", addr); host != "client-two.example.org" {
			t.Errorf("after a SIGHUP: TCPREMOTEHOST %q", host)
		}
		hungPort := portOf(hung.LocalAddr())
		if _, err := os.Stat(filepath.Join(s.dir, hungPort+".gob")); err == nil && time.Since(began) < lookupTime {
			t.Fatalf("127.0.0.4 served before its lookup could end")
		}
		r := s.readReportWithin(hungPort, lookupTime+10*time.Second)
		waited := time.Since(began)
		if host, set := getenv(r.Raw, "TCPREMOTEHOST"); set {
			t.Errorf("127.0.0.4, whose name never came: TCPREMOTEHOST %q", host)
		}
		if waited < lookupTime {
			t.Errorf("127.0.0.4 served after %v, before lookupTime (%v): its lookup was not the one asked", waited, lookupTime)
		}
		s.waitLog(`started 1/3`)
	})
	t.Run("SIGTERM", func(t *testing.T) {
		t.Parallel()
		l, addr := listener(t, "127.0.0.1", -1)
		argv, dns := nameSandbox(t, "timeout:30 attempts:1", accept("-h")...)
		s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
		hung := dialFrom(t, "127.0.0.4", addr)
		defer hung.Close()
		for began := time.Now(); dns.Asked("PTR 4.0.0.127.in-addr.arpa.") == 0; time.Sleep(10 * time.Millisecond) {
			if time.Since(began) > 10*time.Second {
				t.Fatalf("the server never asked 127.0.0.4's name; stderr:\n%s", s.log())
			}
		}
		sent := time.Now()
		s.proc.Signal(syscall.SIGTERM)
		st := s.waitExit()
		if took := time.Since(sent); took >= lookupTime/2 || st.ExitCode() != 0 {
			t.Errorf("SIGTERM during a lookup: %v, after %v; want exit status 0 at once", st, took)
		}
		if data, _ := readAll(hung); data != "" {
			t.Errorf("127.0.0.4 got %q from a server that ended", data)
		}
	})
}

// TestTcpserverLogNamesClient: with -h, the ok line in tcpserver's words
// names the client, as Debian's tcpserver's does, asking the same DNS
// server.
func TestTcpserverLogNamesClient(t *testing.T) {
	tcpserver := testkit.SystemProgram(t, "tcpserver", "ucspi-tcp")
	child := []string{"sh", "-c", "echo hi"}
	argv, dns := nameSandbox(t, "timeout:5", append([]string{tslBinary, "-1", "127.0.0.1", "0", tsaBinary, "--log-format", "tcpserver", "-vhl0"}, child...)...)
	ip, _, _ := net.SplitHostPort(dns.Addr)
	for _, spec := range []serverSpec{
		{argv: argv},
		{argv: append([]string{tcpserver, "-1", "-vhRl0", "127.0.0.1", "0"}, child...), env: []string{"DNSCACHEIP=" + ip}},
	} {
		s, port := printedPortOf(t, spec)
		c := dialFrom(t, "127.0.0.2", "127.0.0.1:"+port)
		readAll(c)
		c.Close()
		s.waitLog(`(?m)^tcpserver: ok \d+ 0:127\.0\.0\.1:` + port + ` client-two\.example\.org:127\.0\.0\.2::\d+$`)
	}
}

// TestThreadsWithNames: with -h, the server has started, when it first
// serves, the threads it can need (threadsNeeded with names), and starts
// no other while lookups are in progress for 20 clients whose names
// never come and 19 more are served to the limit of 40: each lookup
// waits in the poller, and the rules and the forks go in turns.
func TestThreadsWithNames(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv, _ := nameSandbox(t, "timeout:30 attempts:1", tsaBinary, "-v", "-h", "cat")
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	conns = append(conns, dialFrom(t, "127.0.0.2", addr))
	s.waitLog(`started 1/40`)
	ready := threads(t, s.proc.Pid)
	// readyThreads approaches the count, and the runtime may start one
	// or two of its own meanwhile (Go 1.19's build: 19 of 17, 1 run in
	// 30): what matters is that none is started once it serves.
	if most := readiedThreads(true) + 2; ready > most {
		t.Errorf("%d threads when it first served; want at most %d (%s build)", ready, most, testkit.Toolchain(tsaBinary))
	}
	dialled := time.Now()
	for i := 0; i < 20; i++ {
		conns = append(conns, dialFrom(t, "127.0.0.4", addr))
	}
	for i := 0; i < 30; i++ {
		conns = append(conns, dialFrom(t, "127.0.0.2", addr))
	}
	s.waitLog(`started 20/40`)
	if n := threads(t, s.proc.Pid); n > ready {
		t.Errorf("%d threads with 20 lookups in progress and 20 children; %d when it first served: the runtime started more (%s build)", n, ready, testkit.Toolchain(tsaBinary))
	}
	if strings.Contains(s.log(), "started 21/40") && time.Since(dialled) < lookupTime {
		t.Errorf("more than 20 children while 20 lookups hold their slots; stderr:\n%s", s.log())
	}
}

// TestNameServers: the servers of resolv.conf are asked in turn: one
// where nothing listens, then one that never answers, pass the question
// on, within their timeout, to the test's DNS server, listed third.
func TestNameServers(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv, dns := nameSandboxWith(t, func(ip string) string {
		return "nameserver 127.53.255.1\nnameserver 127.53.255.2\nnameserver " + ip + "\noptions timeout:1 attempts:1\n"
	}, accept("-h")...)
	silent := testkit.StartDNS(t, "127.53.255.2:53", testkit.DNSZone{Silent: map[string]bool{"PTR 2.0.0.127.in-addr.arpa.": true}})
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	if host, _ := remoteHostOf(t, s, "127.0.0.2", addr); host != "client-two.example.org" {
		t.Errorf("TCPREMOTEHOST %q; want client-two.example.org from the third server; stderr:\n%s", host, s.log())
	}
	if silent.AskedAny() != 1 || dns.AskedAny() != 1 {
		t.Errorf("the silent server was asked %d questions, the third %d; want 1 each", silent.AskedAny(), dns.AskedAny())
	}
}

// TestPerHostDuringLookup: with -h, a connection is counted against -C
// from before its lookup: while the names of two clients from 127.0.0.4
// never come, a third from there is refused at once, and one from
// another address is served.
func TestPerHostDuringLookup(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv, dns := nameSandbox(t, "timeout:30 attempts:1", accept("-v", "-h", "-C", "2")...)
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	for i := 0; i < 2; i++ {
		c := dialFrom(t, "127.0.0.4", addr)
		defer c.Close()
	}
	for began := time.Now(); dns.Asked("PTR 4.0.0.127.in-addr.arpa.") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Since(began) > 10*time.Second {
			t.Fatalf("the server asked 127.0.0.4's name %d times; want 2; stderr:\n%s", dns.Asked("PTR 4.0.0.127.in-addr.arpa."), s.log())
		}
	}
	third := dialFrom(t, "127.0.0.4", addr)
	defer third.Close()
	if !closedAtOnce(t, third) {
		t.Errorf("a third client from 127.0.0.4 was not closed at once")
	}
	s.waitLog(`refused 127\.0\.0\.4 \d+ per-host limit 2`)
	if n := dns.Asked("PTR 4.0.0.127.in-addr.arpa."); n != 2 {
		t.Errorf("127.0.0.4's name asked %d times; want 2: the third was looked up", n)
	}
	if host, _ := remoteHostOf(t, s, "127.0.0.2", addr); host != "client-two.example.org" {
		t.Errorf("another address meanwhile: TCPREMOTEHOST %q", host)
	}
}
