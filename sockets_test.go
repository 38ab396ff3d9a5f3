//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestOptionsReadBack(t *testing.T) {
	v4 := testkit.SockWant{Family: inet, IP: "127.0.0.1", ReuseAddr: 1, V6Only: -1, Backlog: 5}
	v6 := testkit.SockWant{Family: inet6, IP: "::1", ReuseAddr: 1, V6Only: 1, Backlog: 5}
	with := func(w testkit.SockWant, f func(*testkit.SockWant)) testkit.SockWant { f(&w); return w }
	cases := []struct {
		args []string
		want testkit.SockWant
	}{
		{[]string{"127.0.0.1", "0"}, v4},
		{[]string{"--no-reuse-address", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.ReuseAddr = 0 })},
		{[]string{"--reuse-port", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.ReusePort = 1 })},
		{[]string{"--bind-to-any", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Free = 1 })},
		{[]string{"--bind-to-any", "::1", "0"}, with(v6, func(w *testkit.SockWant) { w.Free = 1 })},
		{[]string{"::1", "0"}, v6},
		// Linux sets IPV6_V6ONLY itself when a socket binds to an address
		// other than :: or a mapped one.
		{[]string{"--combine4and6", "::1", "0"}, v6},
		{[]string{"--combine4and6", "::", "0"}, with(v6, func(w *testkit.SockWant) { w.IP, w.V6Only = "::", 0 })},
		{[]string{"--combine4and6", "127.0.0.1", "0"}, v4},
		{[]string{"0.0.0.0", "0"}, with(v4, func(w *testkit.SockWant) { w.IP = "0.0.0.0" })},
		{[]string{"::", "0"}, with(v6, func(w *testkit.SockWant) { w.IP = "::" })},
		{[]string{"-H", "0", "0"}, with(v4, func(w *testkit.SockWant) { w.IP = "0.0.0.0" })},
		{[]string{"--numeric-host", "127.1", "0"}, v4},
		{[]string{"-H", "0x7f.0.0.01", "0"}, v4},
		{[]string{"--numeric-host", "0177.1", "0"}, v4},
		{[]string{"--numeric-host", "2130706433", "0"}, v4},
		{[]string{"--numeric-host", "127.0.1", "0"}, v4},
		{[]string{"--numeric-service", "127.0.0.1", "0"}, v4},
		{[]string{"-b", "17", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 17 })},
		{[]string{"-b0x11", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 17 })},
		{[]string{"--backlog", "021", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 17 })},
		{[]string{"--backlog=0", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 0 })},
		{[]string{"-Hb7", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 7 })},
		{[]string{"-H", "-b", "+9", "--", "127.0.0.1", "0"}, with(v4, func(w *testkit.SockWant) { w.Backlog = 9 })},
		{[]string{"--reuse-port", "--no-reuse-address", "--bind-to-any", "--combine4and6", "--backlog", "3", "::", "0"},
			testkit.SockWant{Family: inet6, IP: "::", ReusePort: 1, Free: 1, V6Only: 0, Backlog: 3}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := testkit.Launch{Argv: tsl(c.args...), SS: true}.Probed(t)
			testkit.CheckSocket(t, r, 3, c.want)
			if len(r.FDs) != 4 {
				t.Errorf("descriptors %v; want 0, 1, 2 and the socket on 3", r.FDs)
			}
		})
	}
}

func TestCombine4and6TakesIPv4Clients(t *testing.T) {
	r := testkit.Launch{Argv: tsl("--combine4and6", "::", "0"), Env: []string{"PROBE_DIAL=127.0.0.1,::1"}}.Probed(t)
	if !r.Reached["127.0.0.1"] || !r.Reached["::1"] {
		t.Errorf("with --combine4and6 on ::, reached: %v; want both 127.0.0.1 and ::1", r.Reached)
	}
	r = testkit.Launch{Argv: tsl("::", "0"), Env: []string{"PROBE_DIAL=127.0.0.1,::1"}}.Probed(t)
	if r.Reached["127.0.0.1"] || !r.Reached["::1"] {
		t.Errorf("without --combine4and6 on ::, reached: %v; want ::1 only", r.Reached)
	}
}

func TestServesOnInheritedSocket(t *testing.T) {
	r := testkit.Launch{Argv: tsl("127.0.0.1", "0"), Env: []string{"PROBE_DIAL=127.0.0.1"}}.Probed(t)
	if !r.Reached["127.0.0.1"] {
		t.Errorf("a connection to the port on descriptor 3 was not accepted there")
	}
}

// TestPrintPort: with -1 the port bound, which the kernel chose for port
// 0, comes on standard output, one decimal line, before next-prog runs,
// which gets the socket on 3+n as without it.
func TestPrintPort(t *testing.T) {
	for _, args := range [][]string{
		{"-1", "127.0.0.1", "0"},
		{"--print-port", "::", "0"},
		{"-H1b7", "--systemd-compatibility", "127.0.0.1", "0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			res := testkit.Launch{Argv: tsl(args...)}.Run(t)
			if res.Exit != 0 || res.Report == nil {
				t.Fatalf("exit %d, probe ran: %v, stderr:\n%s", res.Exit, res.Report != nil, res.Stderr)
			}
			fd, ok := res.Report.FDs[3]
			if !ok || fd.Socket == nil {
				t.Fatalf("no socket on descriptor 3: %v", res.Report.FDs)
			}
			if want := strconv.Itoa(int(fd.Socket.Addr.Port())) + "\n"; res.Stdout != want || want == "0\n" {
				t.Errorf("standard output %q; want the port of %v, %q", res.Stdout, fd.Socket.Addr, want)
			}
		})
	}
}

// TestPrintPortBrokenPipe: a standard output that nobody reads is one
// FATAL line, status 1 and no exec, not a death by SIGPIPE.
func TestPrintPortBrokenPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	cmd := exec.Command(tslBinary, "-1", "127.0.0.1", "0", "true")
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || stderr.String() != "tcp-socket-listen: FATAL: writing the port on standard output: broken pipe\n" {
		t.Errorf("%v, stderr %q; want status 1 and one FATAL line for the broken pipe", err, stderr.String())
	}
}
