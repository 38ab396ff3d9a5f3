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
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The commands that the README and the manual pages give a newcomer,
// taken from their text and run as written (with the test's own port and
// directory, and a stand-in where the text marks a placeholder).

// readText reads a file of the source tree, its lines joined as one.
func readText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// TestQuickStartClient: the README's bash client gets its echo, and
// leaves no connection open in the shell it runs in: the server's cat
// ends while that shell still runs.
func TestQuickStartClient(t *testing.T) {
	bash := testkit.SystemProgram(t, "bash", "bash")
	m := regexp.MustCompile("`(exec 3<>/dev/tcp/127\\.0\\.0\\.1/7;[^`]*)`").FindStringSubmatch(readText(t, "README.md"))
	if m == nil {
		t.Fatal("no bash client in the README's quick start")
	}
	port := testkit.FreePortOn(t, "127.0.0.1")
	client := strings.Replace(m[1], "/127.0.0.1/7;", "/127.0.0.1/"+port+";", 1)
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, tsaBinary, "-v", "cat"}})
	waitListening(t, port)
	// The shell goes on a while after the client's commands, as the
	// newcomer's interactive one would; cat must end meanwhile.
	var out strings.Builder
	sh := exec.Command(bash, "-c", client+"; sleep 3")
	sh.Stdout = &out
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	defer sh.Wait()
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(s.log(), " ended status "); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Errorf("%q left its connection open: cat still runs 2 s later; stderr:\n%s", client, s.log())
			break
		}
	}
	sh.Wait()
	if out.String() != "hello\n" {
		t.Errorf("%q printed %q; want hello; stderr:\n%s", client, out.String(), s.log())
	}
}

// waitListening waits until a socket listens on 127.0.0.1:port, as
// /proc/net/tcp shows it, without connecting to it.
func waitListening(t *testing.T, port string) {
	t.Helper()
	n, _ := strconv.Atoi(port)
	want := strings.ToUpper(strconv.FormatInt(int64(n), 16))
	for len(want) < 4 {
		want = "0" + want
	}
	want = "0100007F:" + want
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		data, _ := os.ReadFile("/proc/net/tcp")
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 3 && f[1] == want && f[3] == "0A" {
				return
			}
		}
	}
	t.Fatalf("nothing listens on 127.0.0.1:%s", port)
}

// TestManualFdmoveExample: the manual's inetd-style example, fdmove at
// the path it gives, puts the listening socket on the server's standard
// input.
func TestManualFdmoveExample(t *testing.T) {
	m := regexp.MustCompile(`tcp-socket-listen 127\.0\.0\.1 8080 \\e (\S+) 0 3 \\fIwait-server\\fP`).FindStringSubmatch(readText(t, "man/tcp-socket-listen.1"))
	if m == nil {
		t.Fatal("no fdmove example in tcp-socket-listen(1)")
	}
	fdmove := m[1]
	if _, err := exec.LookPath(fdmove); err != nil {
		t.Skipf("%s: %v (Debian's execline)", fdmove, err)
	}
	out := filepath.Join(t.TempDir(), "out")
	port := testkit.FreePortOn(t, "127.0.0.1")
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, fdmove, "0", "3", "/bin/sh", "-c", `test -S /dev/stdin && echo socket > "$0"`, out}})
	s.waitExit()
	if b, _ := os.ReadFile(out); string(b) != "socket\n" {
		t.Errorf("the wait-server's standard input: %q, want a socket; stderr:\n%s", b, s.log())
	}
}

// TestRunitServiceRemoved: the README's way to remove the runit
// service, sv exit, ends the server, its logger and runsv.
func TestRunitServiceRemoved(t *testing.T) {
	runsv := testkit.SystemProgram(t, "runsv", "runit")
	sv := testkit.SystemProgram(t, "sv", "runit")
	if os.Geteuid() != 0 {
		t.Skip("the example's run script drops to nobody, which needs root")
	}
	m := regexp.MustCompile("To remove it, `sv exit /etc/sv/echo`").FindString(readText(t, "README.md"))
	if m == "" {
		t.Fatal("the README does not say how to remove the runit service")
	}
	dir := filepath.Join(t.TempDir(), "echo")
	copyTree(t, filepath.Join("..", "examples", "runit", "echo"), dir)
	port := testkit.FreePortOn(t, "127.0.0.1")
	if err := os.WriteFile(filepath.Join(dir, "port"), []byte(port+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killUnder(dir) })
	p := startSupervisor(t, nil, nil, runsv, dir)
	waitListening(t, port)
	run(t, sv, "exit", dir)
	done := make(chan error, 1)
	go func() { _, err := p.Wait(); done <- err }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runsv runs on 10 s after sv exit")
	}
	if left := pidsUnder(dir); len(left) > 0 {
		t.Errorf("still running after sv exit: pids %v", left)
	}
}
