//go:build linux

package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

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

// echoServerShortOfDescriptors starts a server whose children run echo
// (found as next-prog names it) and say "served", serves a first client,
// then lowers the server's descriptor limit to what it has open and
// room more.
func echoServerShortOfDescriptors(t *testing.T, echo string, room int) (*running, string) {
	t.Helper()
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skip("prlimit(1) is not installed")
	}
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, echo, "served"}, files: []*os.File{l}})
	if got := served(t, addr); got != "served\n" {
		t.Fatalf("first client got %q; stderr:\n%s", got, s.log())
	}
	// On Linux the child's pidfd is open until it is collected.
	for deadline := time.Now().Add(5 * time.Second); anonFDs(t, s.proc.Pid, "pidfd") > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the first child's pidfd still open after 5 s")
		}
	}
	prlimit(t, s.proc.Pid, strconv.Itoa(openFDs(t, s.proc.Pid)+room))
	return s, addr
}

// TestOutOfDescriptors: with its descriptor limit lowered to what it has
// open, the server cannot accept; it logs, a few lines a second, rests
// between tries instead of spinning, and serves the waiting clients when
// descriptors free up.
func TestOutOfDescriptors(t *testing.T) {
	s, addr := echoServerShortOfDescriptors(t, "echo", 0)
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
	// The first line's second, and the one after.
	if errors > 2*sameLinesPerSecond {
		t.Errorf("%d ERROR lines in a second and a bit; want at most %d", errors, 2*sameLinesPerSecond)
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
// process limit), the connection is closed with one ERROR line, which
// blames the fork, not next-prog, and the
// server serves again once its children have ended. The server runs as daemon,
// for root is exempt from RLIMIT_NPROC, under a limit of 20 tasks: its
// own threads, and children of cat held open until a fork fails.
func TestForkFails(t *testing.T) {
	setpriv, prlimit := limitTools(t)
	// Another run's children may linger a moment, as zombies init has
	// yet to reap.
	awaitNoProcesses(t, "daemon")
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{prlimit, "--nproc=20", setpriv, "--reuid=daemon", "--regid=daemon", "--clear-groups", tsaBinary, "-v", "/bin/cat"}
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
	s.waitLog(`ERROR: dropping connection from 127\.0\.0\.1 \d+, unable to fork: resource temporarily unavailable\n`)
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

// TestForkOutOfDescriptors: with room for the accepted connection but not
// for the pipe that the fork needs, the ERROR line says the fork failed,
// not that next-prog did, and the connection is closed; once descriptors
// are free, clients are served.
func TestForkOutOfDescriptors(t *testing.T) {
	s, addr := echoServerShortOfDescriptors(t, "/bin/echo", 1)
	c := dial(t, addr)
	if data, err := readAll(c); data != "" || err != nil {
		t.Errorf("with no descriptors for the fork, the client got %q, %v; want the connection closed", data, err)
	}
	c.Close()
	// Without an event set, the other loop, woken for the same client,
	// may meet EMFILE in its accept, and say so too.
	s.waitLog(`(?m)^tcp-socket-accept: ERROR: dropping connection from 127\.0\.0\.1 ` + portOf(c.LocalAddr()) + `, unable to fork: too many open files\n`)
	prlimit(t, s.proc.Pid, "1024")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if got := served(t, addr); got == "served\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no client served once descriptors were free; stderr:\n%s", s.log())
		}
	}
	if strings.Contains(s.log(), "/bin/echo") {
		t.Errorf("next-prog blamed:\n%s", s.log())
	}
}

// TestThreadsNotReadied: at a descriptor limit of 7, with the listener
// and the poller's 2 or 3, there is no room for the pipe that readies the
// threads: one ERROR line says so, and the server runs on.
func TestThreadsNotReadied(t *testing.T) {
	l, _ := listener(t, "127.0.0.1", -1)
	argv := []string{"/bin/sh", "-c", `ulimit -n 7 && exec "$@"`, "sh", tsaBinary, "/bin/true"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	// gccgo's poller takes 3, and leaves accept none: its own lines follow.
	// No room for an event set either, and its poller (events_linux.go):
	// the server serves with a loop for each listener, and a reaper.
	want := threadsNeeded(2, loopsPerListener, false, true)
	s.waitLog(`^tcp-socket-accept: ERROR: readying threads: \d+ of ` + strconv.Itoa(want) + ` started \(pipe2: too many open files\); at a process limit the server may need one it cannot start\n`)
	time.Sleep(100 * time.Millisecond)
	if !s.alive() {
		t.Errorf("the server ended; stderr:\n%s", s.log())
	}
}
