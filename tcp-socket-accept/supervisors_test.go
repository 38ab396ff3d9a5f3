//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The service directories of examples/, each run under its own
// supervisor from Debian: the echo answers; the server, killed, is
// started again and serves again within 2 s; its log service keeps the
// verbose lines; and the server runs as nobody, as the run script drops
// to it between the two halves.

// restartWithin is how soon a killed server must serve again. runsv
// and supervise wait a second before they restart a service that ran
// for less than one, so each test lets the server run a second first;
// s6-supervise waits a second after every death (measured: 1.04 to
// 1.26 s from the kill to serving again, against 45 to 100 ms for the
// other two).
const restartWithin = 2 * time.Second

// supervised is one supervisor's way with a service directory.
type supervised struct {
	example string                         // under examples/
	start   func(t *testing.T, dir string) // starts supervising dir (and dir/log)
	pid     func(dir string) int           // the service's pid, or 0
}

func TestRunitService(t *testing.T) {
	runsv := testkit.SystemProgram(t, "runsv", "runit")
	testkit.SystemProgram(t, "chpst", "runit")
	serveUnder(t, supervised{
		example: "runit/echo",
		start: func(t *testing.T, dir string) {
			// runsv runs ./log as well, and pipes the service into it.
			p := startSupervisor(t, nil, nil, runsv, dir)
			t.Cleanup(func() { p.Signal(syscall.SIGTERM) })
		},
		pid: func(dir string) int { return pidFile(filepath.Join(dir, "supervise", "pid")) },
	})
}

func TestDaemontoolsService(t *testing.T) {
	supervise := testkit.SystemProgram(t, "supervise", "daemontools")
	svstat := testkit.SystemProgram(t, "svstat", "daemontools")
	svc := testkit.SystemProgram(t, "svc", "daemontools")
	serveUnder(t, supervised{
		example: "daemontools/echo",
		start: func(t *testing.T, dir string) {
			// What svscan does: a supervise for the service and one for
			// its log, a pipe between them.
			pipeSupervisors(t, supervise, dir)
			t.Cleanup(func() { run(t, svc, "-dx", dir, filepath.Join(dir, "log")) })
		},
		pid: func(dir string) int { return statusPid(svstat, dir, "(pid ", ")") },
	})
}

func TestS6Service(t *testing.T) {
	s6supervise := testkit.SystemProgram(t, "s6-supervise", "s6")
	s6svstat := testkit.SystemProgram(t, "s6-svstat", "s6")
	s6svc := testkit.SystemProgram(t, "s6-svc", "s6")
	testkit.SystemProgram(t, "execlineb", "execline")
	serveUnder(t, supervised{
		example: "s6/echo",
		start: func(t *testing.T, dir string) {
			// What s6-svscan does: an s6-supervise for the service and
			// one for its log, a pipe between them.
			pipeSupervisors(t, s6supervise, dir)
			t.Cleanup(func() { run(t, s6svc, "-dx", dir); run(t, s6svc, "-dx", filepath.Join(dir, "log")) })
		},
		pid: func(dir string) int { return statusPid(s6svstat, dir, "(pid ", ")") },
	})
}

// serveUnder runs the example s under its supervisor, on a copy with a
// port of the test's own.
func serveUnder(t *testing.T, s supervised) {
	if os.Geteuid() != 0 {
		t.Skip("the example's run script drops to nobody, which needs root")
	}
	dir := filepath.Join(t.TempDir(), "echo")
	copyTree(t, filepath.Join("..", "examples", s.example), dir)
	port := testkit.FreePortOn(t, "127.0.0.1")
	if err := os.WriteFile(filepath.Join(dir, "port"), []byte(port+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	t.Cleanup(func() { killUnder(dir) }) // after the supervisors' own stops
	s.start(t, dir)
	logFile := filepath.Join(dir, "log", "main", "current")
	if _, err := echoWithin(addr, 10*time.Second); err != nil {
		t.Fatalf("the service never echoed: %v; its log:\n%s", err, readOrSay(logFile))
	}
	pid := waitPid(t, s.pid, dir)
	if uid := processUid(t, pid); uid != "65534" {
		t.Errorf("the server runs as uid %s; want nobody's, 65534", uid)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	took, err := echoWithin(addr, restartWithin)
	if err != nil {
		t.Fatalf("within %v of the kill, the service did not echo again: %v; its log:\n%s", restartWithin, err, readOrSay(logFile))
	}
	if again := waitPid(t, s.pid, dir); again == pid {
		t.Errorf("the service still runs as %d; want a new process", pid)
	}
	t.Logf("serving again %v after the kill", took.Round(time.Millisecond))
	waitFor(t, "the log service to keep the verbose lines", func() bool {
		return strings.Contains(readOrSay(logFile), "tcp-socket-accept: ")
	})
}

// echoWithin connects to addr until a line comes back as it was sent, for
// up to deadline, and says how long that took.
func echoWithin(addr string, deadline time.Duration) (time.Duration, error) {
	start := time.Now()
	var err error
	for time.Since(start) < deadline {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "ping\n")
			var line string
			line, err = bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line == "ping\n" {
				return time.Since(start), nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, err
}

// processUid is pid's real uid, as /proc shows it.
func processUid(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	t.Fatalf("no Uid line for %d", pid)
	return ""
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("waited 10 s for %s", what)
}

func readOrSay(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return string(data)
}
