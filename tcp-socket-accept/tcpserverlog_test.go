//go:build linux

package main

import (
	"bufio"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// printedPort starts argv, a server that writes its port with -1, and
// returns it and the port.
func printedPort(t *testing.T, argv []string) (*running, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := start(t, serverSpec{argv: argv, stdout: w})
	w.Close()
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil {
		t.Fatalf("%q wrote no port: %v; stderr:\n%s", argv, err, s.log())
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
func TestTcpserverLogLines(t *testing.T) {
	tcpserver := testkit.SystemProgram(t, "tcpserver", "ucspi-tcp")
	cdb := compileRules(t, t.TempDir(), "rules.cdb", "127.0.0.2:deny\n:allow\n")
	child := []string{"sh", "-c", "echo hi; exit 3"}
	opts := []string{"-vRHl0", "-c", "2", "-x", cdb}
	theirs := tcpserverRun(t, append(append([]string{tcpserver, "-1"}, opts...), append([]string{"127.0.0.1", "0"}, child...)...), true, "127.0.0.1", "127.0.0.1", "127.0.0.2")
	ours := tcpserverRun(t, append(append([]string{tslBinary, "-1", "127.0.0.1", "0", tsaBinary, "--log-format", "tcpserver"}, opts...), child...), false, "127.0.0.1", "127.0.0.1", "127.0.0.2")
	// tcpserver's lines for the denied client, as the server here
	// writes them: its deny line alone, with pid 0.
	var want []string
	for i := 0; i < len(theirs); i++ {
		if strings.HasPrefix(theirs[i], "tcpserver: pid P from 127.0.0.2") && i+2 < len(theirs) {
			want = append(want[:len(want)-1], strings.Replace(theirs[i+1], "deny P", "deny 0", 1))
			i += 3 // the child's deny, end and status lines
			continue
		}
		want = append(want, theirs[i])
	}
	if strings.Join(ours, "\n") != strings.Join(want, "\n") {
		t.Errorf("ours:\n%s\n\ntcpserver's, its denied child's start and end left out:\n%s\n\ntcpserver's:\n%s", strings.Join(ours, "\n"), strings.Join(want, "\n"), strings.Join(theirs, "\n"))
	}
}
