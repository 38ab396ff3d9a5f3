//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
	"tcp-socket-listen/internal/testkit"
)

// examples/systemd: systemd cannot run as process 1 in a test, so the
// units' ExecStart commands run under systemd-socket-activate, systemd's
// own tool for the LISTEN_FDS protocol, or alone; systemd-analyze lints
// the units themselves.

// unitDir is where the units name the binaries: make install's default.
const unitDir = "/usr/local/bin/"

// TestSystemdSocketUnit runs echo.service's ExecStart on the socket that
// systemd-socket-activate passes, as echo.socket would have systemd pass
// it, with a name: the echo answers, and LISTEN_FDNAMES reaches the server
// as given (and, as for LISTEN_FDS, no child).
func TestSystemdSocketUnit(t *testing.T) {
	activate := testkit.SystemProgram(t, "systemd-socket-activate", "systemd")
	socket := unitKey(t, "echo.socket", "ListenStream")
	if socket != "127.0.0.1:7" {
		t.Errorf("echo.socket listens on %s; the README says 127.0.0.1:7", socket)
	}
	port := testkit.FreePortOn(t, "127.0.0.1")
	argv := append([]string{activate, "-l", "127.0.0.1:" + port, "--fdname=echo", "-E", "PATH=" + os.Getenv("PATH")},
		execStart(t, "echo.service")...)
	s := start(t, serverSpec{argv: argv})
	addr := net.JoinHostPort("127.0.0.1", port)
	if _, err := echoWithin(addr, 10*time.Second); err != nil {
		t.Fatalf("echo.service's command never echoed: %v; stderr:\n%s", err, s.log())
	}
	server := runningAs(t, tsaBinary, func() []int { return append([]int{s.proc.Pid}, machine.ChildPids(s.proc.Pid)...) })
	if env := procEnviron(t, server); !contains(env, "LISTEN_FDNAMES=echo") || !contains(env, "LISTEN_FDS=1") {
		t.Errorf("the server's environment %q; want LISTEN_FDNAMES=echo and LISTEN_FDS=1 passed through", env)
	}
	c := dial(t, addr)
	defer c.Close()
	c.Write([]byte("x\n"))
	bufio.NewReader(c).ReadString('\n')
	checked := 0
	for _, child := range machine.ChildPids(server) {
		// Earlier clients' children may have ended since the listing.
		data, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/environ")
		if err != nil || len(data) == 0 {
			continue
		}
		checked++
		if env := strings.Split(string(data), "\x00"); contains(env, "LISTEN_FDNAMES=echo") {
			t.Errorf("a child inherited LISTEN_FDNAMES: %q", env)
		}
	}
	if checked == 0 {
		t.Error("no running child to check, though a client is connected")
	}
}

// TestSystemdPairService runs echo-pair.service's ExecStart as it is, the
// pair with setpriv between them: the echo answers, from nobody.
func TestSystemdPairService(t *testing.T) {
	testkit.SystemProgram(t, "setpriv", "util-linux")
	if os.Geteuid() != 0 {
		t.Skip("echo-pair.service drops to nobody with setpriv, which needs root")
	}
	argv := execStart(t, "echo-pair.service")
	port := testkit.FreePortOn(t, "127.0.0.1")
	for i, a := range argv {
		if a == "7" && argv[i-1] == "127.0.0.1" {
			argv[i] = port
		}
	}
	s := start(t, serverSpec{argv: argv})
	if _, err := echoWithin(net.JoinHostPort("127.0.0.1", port), 10*time.Second); err != nil {
		t.Fatalf("echo-pair.service's command never echoed: %v; stderr:\n%s", err, s.log())
	}
	if uid := processUid(t, runningAs(t, tsaBinary, func() []int { return []int{s.proc.Pid} })); uid != "65534" {
		t.Errorf("the server runs as uid %s; want nobody's, 65534", uid)
	}
}

// TestSystemdUnitsVerify lints the units with systemd-analyze verify, the
// binaries' paths pointed at the ones built here.
func TestSystemdUnitsVerify(t *testing.T) {
	analyze := testkit.SystemProgram(t, "systemd-analyze", "systemd")
	dir := t.TempDir()
	units, _ := filepath.Glob("../examples/systemd/*")
	var names []string
	for _, u := range units {
		data, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), unitDir+"tcp-socket-listen", tslBinary)
		text = strings.ReplaceAll(text, unitDir+"tcp-socket-accept", tsaBinary)
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(u)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, "./"+filepath.Base(u))
	}
	if len(names) == 0 {
		t.Fatal("no units in examples/systemd")
	}
	cmd := exec.Command(analyze, append([]string{"verify"}, names...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "echo") {
		t.Errorf("systemd-analyze verify %s: %v\n%s", strings.Join(names, " "), err, out)
	}
}

// unitKey is the value of key in examples/systemd/unit.
func unitKey(t *testing.T, unit, key string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "examples", "systemd", unit))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := testkit.CutPrefix(line, key+"="); ok {
			return v
		}
	}
	t.Fatalf("%s has no %s=", unit, key)
	return ""
}

// execStart is unit's ExecStart, split at spaces (the units quote
// nothing), with the binaries built here for the installed ones.
func execStart(t *testing.T, unit string) []string {
	t.Helper()
	argv := strings.Fields(unitKey(t, unit, "ExecStart"))
	for i, a := range argv {
		switch a {
		case unitDir + "tcp-socket-listen":
			argv[i] = tslBinary
		case unitDir + "tcp-socket-accept":
			argv[i] = tsaBinary
		}
	}
	return argv
}

// runningAs waits for one of the processes that candidates lists to run
// binary, and returns it.
func runningAs(t *testing.T, binary string, candidates func() []int) int {
	t.Helper()
	var found int
	waitFor(t, "a process running "+binary, func() bool {
		for _, pid := range candidates() {
			if exe, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe"); exe == binary {
				found = pid
				return true
			}
		}
		return false
	})
	return found
}

func procEnviron(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
