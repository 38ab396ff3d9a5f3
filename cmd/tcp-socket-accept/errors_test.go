//go:build linux

package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// served connects and returns all the child wrote before closing.
func served(t *testing.T, addr string) string {
	t.Helper()
	c := dial(t, addr)
	defer c.Close()
	data, _ := io.ReadAll(c)
	return string(data)
}

// TestNextProgSearchedPerConnection: a missing next-prog is one ERROR
// line per connection, which is closed; once installed, it is found.
func TestNextProgSearchedPerConnection(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	// A directory and a file without execute permission come first on
	// PATH: execvp passes over them, and reports EACCES only if nothing
	// later will do.
	os.MkdirAll(filepath.Join(dir, "first", "late-prog"), 0o755)
	os.Mkdir(filepath.Join(dir, "second"), 0o755)
	os.WriteFile(filepath.Join(dir, "second", "late-prog"), []byte("#!/bin/sh\necho wrong\n"), 0o644)
	l, addr := listener(t, "127.0.0.1", -1)
	path := filepath.Join(dir, "missing") + "::" + filepath.Join(dir, "first") + ":" + filepath.Join(dir, "second") + ":" + bin
	s := start(t, serverSpec{argv: []string{tsaBinary, "late-prog", "arg"}, files: []*os.File{l}, noPath: true, env: []string{"PATH=" + path}})

	if got := served(t, addr); got != "" {
		t.Errorf("before installing, the client got %q; want the connection closed", got)
	}
	s.waitLog(`^tcp-socket-accept: ERROR: late-prog: permission denied\n$`)
	prog := filepath.Join(bin, "late-prog")
	if err := os.WriteFile(prog+".tmp", []byte("#!/bin/sh\necho installed \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Rename(prog+".tmp", prog)
	if got := served(t, addr); got != "installed arg\n" {
		t.Errorf("after installing, the client got %q; stderr:\n%s", got, s.log())
	}
	os.Remove(prog)
	os.Remove(filepath.Join(dir, "second", "late-prog"))
	os.Remove(filepath.Join(dir, "first", "late-prog"))
	if got := served(t, addr); got != "" {
		t.Errorf("after removing, the client got %q; want the connection closed", got)
	}
	s.waitLog(`late-prog: no such file or directory\n$`)
	if strings.Count(s.log(), "\n") != 2 {
		t.Errorf("stderr:\n%s\nwant two ERROR lines", s.log())
	}
}

// TestNextProgErrors: each way exec can fail is one ERROR line naming
// next-prog, and the server serves on.
func TestNextProgErrors(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644)
	badFormat := filepath.Join(dir, "badformat")
	os.WriteFile(badFormat, []byte("not a program\n"), 0o755)
	cases := []struct{ prog, want string }{
		{"/nonexistent/prog", "/nonexistent/prog: no such file or directory"},
		{noexec, noexec + ": permission denied"},
		{badFormat, badFormat + ": exec format error"},
		{dir, dir + ": permission denied"},
		{"no such prog", `"no such prog": no such file or directory`},
	}
	for _, c := range cases {
		t.Run(c.prog, func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: []string{tsaBinary, c.prog}, files: []*os.File{l}})
			for i := 0; i < 2; i++ {
				if got := served(t, addr); got != "" {
					t.Errorf("client got %q; want the connection closed", got)
				}
			}
			log := s.waitLog(`(?s)ERROR.*ERROR`)
			want := "tcp-socket-accept: ERROR: " + c.want + "\n"
			if log != want+want {
				t.Errorf("stderr %q; want twice %q", log, want)
			}
			if !s.alive() {
				t.Error("the server ended")
			}
		})
	}
}

// TestResetClient: a client that resets its connection while it waits
// in the backlog costs the server nothing: it serves the next one.
func TestResetClient(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "-c", "1", "/bin/sh", "-c", "echo hello; cat >/dev/null"}, files: []*os.File{l}})
	holder := dial(t, addr)
	if line, err := readLine(holder); line != "hello\n" {
		t.Fatalf("first client: %q, %v", line, err)
	}
	for i := 0; i < 5; i++ {
		c := dial(t, addr)
		c.(*net.TCPConn).SetLinger(0)
		c.Close() // RST, before the server accepts
	}
	holder.Close()
	c := dial(t, addr)
	defer c.Close()
	if line, err := readLine(c); line != "hello\n" {
		t.Errorf("after the resets, a client got %q, %v; stderr:\n%s", line, err, s.log())
	}
	if !s.alive() {
		t.Error("the server ended")
	}
}

func readLine(c net.Conn) (string, error) {
	var b [1]byte
	var line []byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return string(line), err
		}
		line = append(line, b[0])
		if b[0] == '\n' {
			return string(line), nil
		}
	}
}

// cpuTicks is the server's user and system time, in clock ticks.
func cpuTicks(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	u, _ := strconv.Atoi(f[11])
	s, _ := strconv.Atoi(f[12])
	return u + s
}

func openFDs(t *testing.T, pid int) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func prlimit(t *testing.T, pid int, soft string) {
	t.Helper()
	if out, err := exec.Command("prlimit", "--pid", strconv.Itoa(pid), "--nofile="+soft+":").CombinedOutput(); err != nil {
		t.Fatalf("prlimit: %v: %s", err, out)
	}
}

// TestOutOfDescriptors: with its descriptor limit lowered to what it has
// open, the server cannot accept; it logs, rests between tries instead of
// spinning, and serves the waiting clients when descriptors free up.
func TestOutOfDescriptors(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit(1) is not installed")
	}
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "echo", "served"}, files: []*os.File{l}})
	if got := served(t, addr); got != "served\n" {
		t.Fatalf("first client got %q; stderr:\n%s", got, s.log())
	}
	prlimit(t, s.proc.Pid, strconv.Itoa(openFDs(t, s.proc.Pid)))
	var waiting []net.Conn
	for i := 0; i < 20; i++ {
		waiting = append(waiting, dial(t, addr))
	}
	s.waitLog(`ERROR: accept: too many open files`)
	before := cpuTicks(t, s.proc.Pid)
	time.Sleep(time.Second)
	used := cpuTicks(t, s.proc.Pid) - before
	errors := strings.Count(s.log(), "too many open files")
	t.Logf("out of descriptors for 1s: %d clock ticks of CPU, %d ERROR lines", used, errors)
	if used > 20 {
		t.Errorf("the server used %d clock ticks of CPU in a second without descriptors; want it resting", used)
	}
	prlimit(t, s.proc.Pid, "1024")
	for i, c := range waiting {
		data, err := io.ReadAll(c)
		c.Close()
		if string(data) != "served\n" {
			t.Errorf("waiting client %d got %q, %v; want it served once descriptors are free", i, data, err)
		}
	}
	if got := served(t, addr); got != "served\n" {
		t.Errorf("a new client got %q", got)
	}
}

// TestForkFails: when the kernel refuses the fork (EAGAIN at the user's
// process limit), the connection is closed with one ERROR line, and the
// server serves again once its children have ended. The server runs as daemon,
// for root is exempt from RLIMIT_NPROC, under a limit of 12 tasks: its
// own threads, and children of cat held open until a fork fails.
func TestForkFails(t *testing.T) {
	setpriv, err1 := exec.LookPath("setpriv")
	prlimit, err2 := exec.LookPath("prlimit")
	if err1 != nil || err2 != nil {
		t.Skip("setpriv(1) or prlimit(1) is not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the server as daemon")
	}
	// Another run's children may linger a moment, as zombies init has
	// yet to reap.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, _ := exec.Command("ps", "-u", "daemon", "--no-headers").Output()
		if len(out) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Skipf("daemon runs processes, which count against the limit:\n%s", out)
		}
	}
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{prlimit, "--nproc=12", setpriv, "--reuid=daemon", "--regid=daemon", "--clear-groups", tsaBinary, "-v", "/bin/cat"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	refused := false
	for i := 0; i < 12 && !refused; i++ {
		c := dial(t, addr)
		io.WriteString(c, "ping\n")
		line, _ := readLine(c)
		switch line {
		case "ping\n":
			held = append(held, c)
		case "":
			refused = true
			c.Close()
		default:
			t.Fatalf("client %d got %q", i, line)
		}
	}
	if !refused {
		t.Fatalf("no fork refused under the limit; stderr:\n%s", s.log())
	}
	s.waitLog(`ERROR: /bin/cat: resource temporarily unavailable\n`)
	// The children end; their tasks count no more. (The server's
	// threads share the limit, so one ended child may not be enough.)
	for _, c := range held {
		c.Close()
	}
	n := len(held)
	held = nil
	s.waitLog(`ended status 1 code 0 0/40`)
	c := dial(t, addr)
	defer c.Close()
	io.WriteString(c, "again\n")
	if line, err := readLine(c); line != "again\n" {
		t.Errorf("after a child ended, the client got %q, %v; stderr:\n%s", line, err, s.log())
	}
	if !s.alive() {
		t.Errorf("the server ended; stderr:\n%s", s.log())
	}
	t.Logf("%d children ran before the fork was refused", n)
}
