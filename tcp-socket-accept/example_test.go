//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// TestRunitService runs examples/tcp-socket-echo under runsv, kills the
// server, and sees runsv start it again and it serve again.
func TestRunitService(t *testing.T) {
	runsv := testkit.SystemProgram(t, "runsv", "runit")
	dir := filepath.Join(t.TempDir(), "echo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run, err := os.ReadFile("../examples/tcp-socket-echo/run")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run"), run, 0o755); err != nil {
		t.Fatal(err)
	}
	port := testkit.FreePortOn(t, "127.0.0.1")
	os.WriteFile(filepath.Join(dir, "port"), []byte(port+"\n"), 0o644)
	addr := net.JoinHostPort("127.0.0.1", port)

	cmd := exec.Command(runsv, dir)
	cmd.Env = []string{"PATH=" + filepath.Dir(tsaBinary) + ":" + os.Getenv("PATH")}
	out, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM) // runsv stops the service, then exits
		cmd.Wait()
	}()

	echo := func(deadline time.Duration) (time.Duration, error) {
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
	if _, err := echo(10 * time.Second); err != nil {
		log, _ := os.ReadFile(out.Name())
		t.Fatalf("the service never echoed: %v; its output:\n%s", err, log)
	}
	pid := servicePid(t, dir)
	time.Sleep(1100 * time.Millisecond) // runsv pauses restarts of a run shorter than a second
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	took, err := echo(10 * time.Second)
	if err != nil {
		log, _ := os.ReadFile(out.Name())
		t.Fatalf("after the kill, the service never echoed again: %v; its output:\n%s", err, log)
	}
	if again := servicePid(t, dir); again == pid {
		t.Errorf("the service still runs as %d; want a new process", pid)
	}
	t.Logf("serving again %v after the kill", took.Round(time.Millisecond))
}

// servicePid is the pid that runsv records for the service, once it has
// one.
func servicePid(t *testing.T, dir string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile(filepath.Join(dir, "supervise", "pid"))
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
			return pid
		}
	}
	t.Fatal("runsv recorded no pid")
	return 0
}

// TestEchoExample runs the spec's Usage as the README writes it:
// tcp-socket-listen 127.0.0.1 7 tcp-socket-accept cat (on another port if
// 7 is taken on this machine).
func TestEchoExample(t *testing.T) {
	port := "7"
	if l, err := net.Listen("tcp", "127.0.0.1:7"); err != nil {
		port = testkit.FreePortOn(t, "127.0.0.1")
	} else {
		l.Close()
	}
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, tsaBinary, "cat"}})
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c := dial(t, net.JoinHostPort("127.0.0.1", port))
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		msg := "line " + strconv.Itoa(i) + "\n"
		io.WriteString(c, msg)
		if line, err := bufio.NewReader(c).ReadString('\n'); line != msg {
			t.Errorf("echo of %q: %q, %v; stderr:\n%s", msg, line, err, s.log())
		}
	}
}

// TestSetuidgidBetween runs the spec's other Usage: listen as root, then
// chain through daemontools' setuidgid, so that the server and its
// children run as nobody on the socket that root opened.
func TestSetuidgidBetween(t *testing.T) {
	setuidgid := testkit.SystemProgram(t, "setuidgid", "daemontools")
	if os.Geteuid() != 0 {
		t.Skip("setuidgid needs root to change user")
	}
	port := testkit.FreePortOn(t, "127.0.0.1")
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, setuidgid, "nobody", tsaBinary,
		"/bin/sh", "-c", `echo "$(id -u) $(id -g) $PROTO $TCPLOCALPORT"`}})
	c := dial(t, net.JoinHostPort("127.0.0.1", port))
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if want := "65534 65534 TCP " + port + "\n"; line != want {
		t.Errorf("the child said %q, %v; want %q; stderr:\n%s", line, err, want, s.log())
	}
}
