//go:build linux

package main

import (
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
)

// TestVerboseLines: with -v, each child's three lines in the C original's
// formats, for an exit, a death by signal and one with a core dump.
func TestVerboseLines(t *testing.T) {
	cases := []struct {
		script string
		ended  string // "status S code C"
		core   bool
	}{
		{"exit 0", "status 1 code 0", false},
		{"exit 7", "status 1 code 7", false},
		{"kill -KILL $$", "status 2 code 9", false},
		{"kill -SEGV $$", "status 3 code 11", true},
	}
	for _, c := range cases {
		t.Run(c.script, func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			argv := []string{tsaBinary, "-v", "-c", "0x3", "/bin/sh", "-c", c.script}
			if c.core {
				prlimit, err := exec.LookPath("prlimit")
				if err != nil {
					t.Skip("prlimit(1) is not installed")
				}
				argv = append([]string{prlimit, "--core=unlimited"}, argv...)
			}
			// The core, if any, goes to the working directory.
			s := start(t, serverSpec{argv: argv, files: []*os.File{l}, dir: t.TempDir()})
			cl := dial(t, addr)
			client := cl.LocalAddr().(*net.TCPAddr)
			readAll(cl)
			cl.Close()
			log := s.waitLog(`ended`)
			_, lport, _ := net.SplitHostPort(addr)
			want := regexp.MustCompile(`^tcp-socket-accept: (\d+) started 1/3\n` +
				`tcp-socket-accept: (\d+) 127\.0\.0\.1 ` + lport + ` 127\.0\.0\.1 ` + strconv.Itoa(client.Port) + `\n` +
				`tcp-socket-accept: (\d+) ended ` + c.ended + ` 0/3\n$`)
			m := want.FindStringSubmatch(log)
			if m == nil || m[1] != m[2] || m[2] != m[3] {
				t.Errorf("stderr:\n%s\nwant the lines of one child matching\n%s", log, want)
			}
		})
	}
}

// TestProgramNameQuoted: the lines start with argv[0]'s base name, quoted
// when it holds control characters.
func TestProgramNameQuoted(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	for _, name := range []string{"/some/dir/my-accept", "tab\there", "new\nline"} {
		t.Run(strconv.Quote(name), func(t *testing.T) {
			s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "true"}, argv0: name, files: []*os.File{l}})
			c := dial(t, addr)
			readAll(c)
			c.Close()
			want := "my-accept: "
			if name != "/some/dir/my-accept" {
				want = strconv.Quote(name) + ": "
			}
			log := s.waitLog(`ended`)
			if len(log) < len(want) || log[:len(want)] != want {
				t.Errorf("stderr %q; want lines starting %q", log, want)
			}
			s.kill()
		})
	}
}

// TestInheritedChildIgnored: a child the server inherited from the
// process it replaced (sh, here) is reaped when it ends, but is not one
// of the server's: no ended line, and the count is untouched.
func TestInheritedChildIgnored(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{"/bin/sh", "-c", `sleep 0.2 & exec "$@"`, "sh", tsaBinary, "-v", "-c", "2", "/bin/sh", "-c", "echo ok; cat >/dev/null"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	first := dial(t, addr)
	defer first.Close()
	readLine(first)
	// Wait for the sleep to end and be reaped.
	for deadline := time.Now().Add(10 * time.Second); len(machine.ChildPids(s.proc.Pid)) > 1 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	second := dial(t, addr)
	defer second.Close()
	readLine(second)
	log := s.waitLog(`started 2/2`)
	if regexp.MustCompile(`ended`).MatchString(log) {
		t.Errorf("stderr:\n%s\nwant no ended line for the inherited child", log)
	}
	if kids := machine.ChildPids(s.proc.Pid); len(kids) != 2 {
		t.Errorf("children %v; want the two connections' only (the sleep reaped)", kids)
	}
}

// TestQuiet: -q silences the ERROR lines (here, a next-prog that does not
// exist, for every client), not the FATAL line of the last listener gone;
// of -v, -q and -Q the last wins, as in tcpserver.
func TestQuiet(t *testing.T) {
	for _, c := range []struct {
		opts []string
		want string // the server's lines, as a pattern
	}{
		{[]string{"-q"}, `^tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n$`},
		{[]string{"-vq"}, `^tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n$`},
		{[]string{"-qQ"}, `^(tcp-socket-accept: ERROR: /nonexistent/prog: no such file or directory\n){2}tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n$`},
		{[]string{"-qv"}, `^(tcp-socket-accept: ERROR: /nonexistent/prog: no such file or directory\n){2}tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n$`},
	} {
		t.Run(strings.Join(c.opts, " "), func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: accept(append(c.opts, "/nonexistent/prog")...), files: []*os.File{l}})
			for i := 0; i < 2; i++ {
				if got := served(t, addr); got != "" {
					t.Errorf("client %d got %q; want the connection closed", i, got)
				}
			}
			syscall.Shutdown(int(l.Fd()), syscall.SHUT_RD)
			s.waitExit()
			<-s.done
			if log := s.log(); !regexp.MustCompile(c.want).MatchString(log) {
				t.Errorf("stderr %q; want %s", log, c.want)
			}
		})
	}
}
