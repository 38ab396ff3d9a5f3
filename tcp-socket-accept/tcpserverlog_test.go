//go:build linux

package main

import (
	"bufio"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// printedPort starts argv, a server that writes its port with -1, and
// returns it and the port.
func printedPort(t *testing.T, argv []string) (*running, string) {
	t.Helper()
	return printedPortOf(t, serverSpec{argv: argv})
}

// printedPortOf is printedPort for spec, whose stdout it sets.
func printedPortOf(t *testing.T, spec serverSpec) (*running, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	spec.stdout = w
	s := start(t, spec)
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("%q wrote no port: %v; stderr:\n%s", spec.argv, err, s.log())
	}
	return s, strings.TrimSpace(line)
}

// tcpserverRun is the lines a server writes for clients, from src each,
// served one after the other, each line's pids and ports made P and N;
// 127.0.0.2 is a client the rules deny, for which tcpserver, but not the
// server here, starts a child (deniedChild).
func tcpserverRun(t *testing.T, argv []string, deniedChild bool, srcs ...string) []string {
	t.Helper()
	s, port := printedPort(t, argv)
	ends, denied := 0, 0
	for _, src := range srcs {
		c := dialFrom(t, src, "127.0.0.1:"+port)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.ReadAll(c)
		c.Close()
		if src == "127.0.0.2" {
			denied++
			s.waitCount(" deny ", denied)
		}
		if src == "127.0.0.1" || deniedChild {
			ends++
			s.waitCount(" end ", ends)
		}
	}
	numbers := regexp.MustCompile(`(pid|ok|deny|end) \d+|:\d+( |$)|:\d+\n`)
	out := numbers.ReplaceAllStringFunc(s.log(), func(m string) string {
		switch {
		case strings.HasPrefix(m, ":"):
			return ":N" + m[len(strings.TrimRight(m, " \n")):]
		case m == "deny 0":
			return m
		}
		return strings.Fields(m)[0] + " P"
	})
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// TestTcpserverLogLines: with --log-format tcpserver, -v's lines are
// Debian's tcpserver's, line for line, for the same run script's
// options (-vRHl0 -c 2, -x) and the same clients, pids and ports aside;
// where the rules deny a client, tcpserver's child writes its deny line
// among the lines of a child's start and end, and the server here, which
// starts no child for it, writes the deny line alone, with pid 0.
// tcpserver's lines are written by two processes, its own and its
// child's, whose order may vary: they are compared as a set, and the
// server's here in their order.
func TestTcpserverLogLines(t *testing.T) {
	tcpserver := testkit.SystemProgram(t, "tcpserver", "ucspi-tcp")
	cdb := compileRules(t, t.TempDir(), "rules.cdb", "127.0.0.2:deny\n:allow\n")
	child := []string{"sh", "-c", "echo hi; exit 3"}
	opts := []string{"-vRHl0", "-c", "2", "-x", cdb}
	clients := []string{"127.0.0.1", "127.0.0.1", "127.0.0.2"}
	theirs := tcpserverRun(t, append(append([]string{tcpserver, "-1"}, opts...), append([]string{"127.0.0.1", "0"}, child...)...), true, clients...)
	ours := tcpserverRun(t, append(append([]string{tslBinary, "-1", "127.0.0.1", "0", tsaBinary, "--log-format", "tcpserver"}, opts...), child...), false, clients...)
	served := []string{
		"tcpserver: status: 1/2",
		"tcpserver: pid P from 127.0.0.1",
		"tcpserver: ok P 0:127.0.0.1:N :127.0.0.1::N",
		"tcpserver: end P status 768",
		"tcpserver: status: 0/2",
	}
	want := append(append(append([]string{"tcpserver: status: 0/2"}, served...), served...), "tcpserver: deny 0 0:127.0.0.1:N :127.0.0.2::N")
	if strings.Join(ours, "\n") != strings.Join(want, "\n") {
		t.Errorf("ours:\n%s\nwant:\n%s", strings.Join(ours, "\n"), strings.Join(want, "\n"))
	}
	// tcpserver's, as a set, less its denied child's start and end, and
	// with that child's pid in the deny line as 0.
	denied := map[string]int{"tcpserver: status: 1/2": 1, "tcpserver: pid P from 127.0.0.2": 1, "tcpserver: end P status 25600": 1, "tcpserver: status: 0/2": 1}
	var kept []string
	for _, line := range theirs {
		if denied[line] > 0 && (line != "tcpserver: status: 0/2" || strings.Count(strings.Join(kept, "\n"), "status: 0/2") == 3) {
			denied[line]--
			continue
		}
		kept = append(kept, strings.Replace(line, "deny P", "deny 0", 1))
	}
	sort.Strings(kept)
	sorted := append([]string{}, want...)
	sort.Strings(sorted)
	if strings.Join(kept, "\n") != strings.Join(sorted, "\n") {
		t.Errorf("tcpserver's lines, less its denied child's start and end, sorted:\n%s\nwant:\n%s\ntcpserver's:\n%s", strings.Join(kept, "\n"), strings.Join(sorted, "\n"), strings.Join(theirs, "\n"))
	}
}

// TestSafe: a name in tcpserver's ok and deny lines is written as its
// safecats writes it.
func TestSafe(t *testing.T) {
	long := strings.Repeat("a", 100)
	for in, want := range map[string]string{
		"":                        "",
		"mail.example.org":        "mail.example.org",
		`odd\040name.example.org`: `odd\040name.example.org`,
		"a b:c%d\x01\xff~":        "a?b?c?d??~",
		long[:99]:                 long[:99],
		long:                      long + "...",
		long + "bcd":              long + "...",
	} {
		if got := safe(in); got != want {
			t.Errorf("safe(%q) = %q; want %q", in, got, want)
		}
	}
}
