//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The server under -x: each client decided as tcprulescheck decides.

// dialFrom connects to addr from the address src, bound before connect.
func dialFrom(t *testing.T, src, addr string) net.Conn {
	t.Helper()
	return dialWith(t, &net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}, addr)
}

// closedAtOnce tells whether the server closed c without a word.
func closedAtOnce(t *testing.T, c net.Conn) bool {
	t.Helper()
	data, err := readAll(c)
	return data == "" && err == nil
}

// setenvEach applies sets to env as the manual says: each entry of the
// name replaced where it stands, or one added at the end.
func setenvEach(env []string, sets ...string) []string {
	env = append([]string(nil), env...)
	for _, kv := range sets {
		name, _, _ := strings.Cut(kv, "=")
		found := false
		for i, e := range env {
			if strings.HasPrefix(e, name+"=") {
				env[i], found = kv, true
			}
		}
		if !found {
			env = append(env, kv)
		}
	}
	return env
}

// serverEnv is the environment start gives the server, with extra.
func serverEnv(s *running, extra ...string) []string {
	return append([]string{"PROBE_DIR=" + s.dir, "PATH=" + os.Getenv("PATH")}, extra...)
}

// checkLikeTcprulescheck connects from src and checks the outcome
// against tcprulescheck's for cdb: a bare close and the refused line for
// a deny; for an allow, the child's environment, byte for byte, the
// server's with the UCSPI variables and then the rule's set. local is
// what the server sets before the client's address, after what it sets
// after.
func checkLikeTcprulescheck(t *testing.T, s *running, cdb, src, addr, remoteIP string, env, local, after []string) {
	t.Helper()
	want := rulescheck(t, cdb, strings.TrimPrefix(remoteIP, "::ffff:"))
	c := dialFrom(t, src, addr)
	defer c.Close()
	port := portOf(c.LocalAddr())
	if want.deny {
		if !closedAtOnce(t, c) {
			t.Errorf("client %s: not closed at once; tcprulescheck denies it by the rule %q", src, want.rule)
		}
		s.waitLog(`(?m)^tcp-socket-accept: refused ` + regexp.QuoteMeta(remoteIP+" "+port+" rule "+want.rule+":deny") + `$`)
		return
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		t.Fatalf("client %s: %v; tcprulescheck allows it by %q; stderr:\n%s", src, err, want.rule, s.log())
	}
	got := s.readReport(port).Raw
	sets := append(append([]string(nil), local...), "TCPREMOTEIP="+remoteIP, "TCPREMOTEPORT="+port)
	expected := setenvEach(env, append(append(sets, after...), want.env...)...)
	if strings.Join(got, "\x00") != strings.Join(expected, "\x00") || len(got) != len(expected) {
		t.Errorf("client %s, rule %q: the child's environment\n%q\nwant\n%q", src, want.rule, got, expected)
	}
}

// TestRulesLikeTcprulescheck: rule files compiled by tcprules, with and
// without a default; clients from 20 addresses of 127.0.0.0/8, each
// denied or allowed, with the variables, as tcprulescheck says. The
// server's environment already holds RELAYCLIENT, twice, and -l sets
// TCPLOCALHOST, which one rule sets too.
func TestRulesLikeTcprulescheck(t *testing.T) {
	for _, withDefault := range []bool{true, false} {
		name := map[bool]string{true: "default deny", false: "no default"}[withDefault]
		t.Run(name, func(t *testing.T) {
			cdb := compileRules(t, t.TempDir(), "tcp.smtp.cdb", rulesText(withDefault))
			l, addr := listener(t, "127.0.0.1", -1)
			extra := []string{"RELAYCLIENT=stale", "PROBE_MODE=report", "RELAYCLIENT=stale2", "TWICE=0"}
			s := start(t, serverSpec{argv: accept("-v", "-x", cdb, "-l", "local"), files: []*os.File{l}, env: extra})
			_, lport, _ := net.SplitHostPort(addr)
			local := []string{"PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=" + lport}
			for _, src := range ruleClients {
				checkLikeTcprulescheck(t, s, cdb, src, addr, src, serverEnv(s, extra...), local, []string{"TCPLOCALHOST=local"})
			}
			denied := 0
			for _, src := range ruleClients {
				if rulescheck(t, cdb, src).deny {
					denied++
				}
			}
			log := s.waitLog(`(?s)(ended.*){` + strconv.Itoa(len(ruleClients)-denied) + `}`)
			if n := len(startedLine.FindAllString(log, -1)); n != len(ruleClients)-denied {
				t.Errorf("%d children started for %d allowed clients; stderr:\n%s", n, len(ruleClients)-denied, log)
			}
		})
	}
}

// TestRulesIPv6: on a combined IPv6 socket an IPv4 client is
// ::ffff:a.b.c.d to its child, and its rules are a.b.c.d's, as
// ucspi-tcp-ipv6's tcpserver looks them up: by the IPv4 address and its
// prefixes ending with a dot, as tcprulescheck looks them up for it,
// never by a rule for ::ffff:a.b.c.d; an IPv6 client by its address
// alone. The keys with colons, which Debian's tcprules cannot write, are
// written here (ucspi-tcp-ipv6's tcprulescheck reads them as Debian's
// does).
func TestRulesIPv6(t *testing.T) {
	cdb := t.TempDir() + "/v6.cdb"
	data := makeCDB([][2]string{
		{"127.0.0.1", "+V4=exact\x00"}, {"::ffff:127.0.0.2", "+MAPPED=never\x00"}, {"127.0.0.", "D\x00"},
		{"::ffff:127.1.", "+MAPPED=never\x00"}, {"::1", "+V6=loopback\x00"}, {"", "+DEFAULT=1\x00"},
	})
	if err := os.WriteFile(cdb, data, 0o644); err != nil {
		t.Fatal(err)
	}
	l6, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	l6.Close()
	l, addr := listener(t, "::", 0)
	s := start(t, serverSpec{argv: accept("-v", "-x", cdb), files: []*os.File{l}})
	_, port, _ := net.SplitHostPort(addr)
	for _, c := range []struct{ src, local, remote string }{
		{"127.0.0.1", "::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"127.0.0.2", "::ffff:127.0.0.1", "::ffff:127.0.0.2"},
		{"127.1.0.1", "::ffff:127.0.0.1", "::ffff:127.1.0.1"},
		{"::1", "::1", "::1"},
	} {
		target := net.JoinHostPort(c.local, port)
		if c.local != "::1" {
			target = net.JoinHostPort("127.0.0.1", port)
		}
		checkLikeTcprulescheck(t, s, cdb, c.src, target, c.remote, serverEnv(s),
			[]string{"PROTO=TCP", "TCPLOCALIP=" + c.local, "TCPLOCALPORT=" + port}, nil)
	}
}

// TestRulePathDoesNotChooseProgram: a rule that sets PATH gives it to the
// child, but next-prog is found in the server's PATH, as tcpserver finds
// it: a client's rule does not choose the program that serves it.
func TestRulePathDoesNotChooseProgram(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(testkit.ProbePath(), filepath.Join(dir, "probe-prog")); err != nil {
		t.Fatal(err)
	}
	cdb := compileRules(t, dir, "rules.cdb", "127.0.0.1:allow,PATH=\"/nonexistent\"\n")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-x", cdb, "probe-prog"}, files: []*os.File{l}, path: dir})
	if got := s.ruleVarOf("127.0.0.1", addr, "PATH"); got != "/nonexistent" {
		t.Errorf("the child's PATH: %s; want the rule's, /nonexistent, and the program found in the server's; stderr:\n%s", got, s.log())
	}
}
