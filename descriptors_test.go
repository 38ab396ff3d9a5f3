//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestDescriptorPlacement(t *testing.T) {
	t.Run("occupied 3 replaced, inherited 4 kept", func(t *testing.T) {
		p3, _ := testkit.Pipe(t)
		p4, link4 := testkit.Pipe(t)
		r := testkit.Launch{Argv: tsl("127.0.0.1", "0"), Files: []*os.File{p3, p4}}.Probed(t)
		testkit.SocketAt(t, r, 3)
		if r.FDs[4].Link != link4 {
			t.Errorf("descriptor 4 is %q; want the inherited %q", r.FDs[4].Link, link4)
		}
		if len(r.FDs) != 5 {
			t.Errorf("descriptors %v; want 0-2, the socket and the pipe", r.FDs)
		}
	})
	t.Run("3 closed, 4 inherited", func(t *testing.T) {
		p4, link4 := testkit.Pipe(t)
		r := testkit.Launch{Argv: tsl("127.0.0.1", "0"), Files: []*os.File{nil, p4}}.Probed(t)
		testkit.SocketAt(t, r, 3)
		if r.FDs[4].Link != link4 {
			t.Errorf("descriptor 4 is %q; want the inherited %q", r.FDs[4].Link, link4)
		}
	})
	t.Run("target 4 with 3 closed", func(t *testing.T) {
		argv := testkit.AsOwnPid(tsl("--systemd-compatibility", "127.0.0.1", "0")...)
		r := testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDS=1"}}.Probed(t)
		testkit.SocketAt(t, r, 4)
		if _, ok := r.FDs[3]; ok || len(r.FDs) != 4 {
			t.Errorf("descriptors %v; want 0-2 and the socket on 4, nothing on 3", r.FDs)
		}
	})
}

func TestRuntimeDescriptorsAvoided(t *testing.T) {
	// A host name and a service name make package net open files, which
	// starts the runtime's poller; with descriptor 3 closed at start its
	// descriptors would take 3 and 4 if the target were not reserved.
	for _, target := range []int{3, 4} {
		t.Run("target "+strconv.Itoa(target), func(t *testing.T) {
			argv := testkit.AsOwnPid(tsl("--systemd-compatibility", "localhost", "tsl-test")...)
			r := testkit.Launch{Argv: sandbox(t, "", argv...), Env: []string{"LISTEN_FDS=" + strconv.Itoa(target-3)}}.Probed(t)
			s := testkit.SocketAt(t, r, target)
			if s.Addr.String() != "127.0.0.1:4242" || s.AcceptConn != 1 {
				t.Errorf("socket on %d at %v, listening %d; want 127.0.0.1:4242", target, s.Addr, s.AcceptConn)
			}
			if len(r.FDs) != 4 {
				t.Errorf("descriptors %v; want 0-2 and the socket only", r.FDs)
			}
		})
	}
}

func TestNonblockingStdin(t *testing.T) {
	// A non-blocking standard input makes package os start the poller
	// before main, on the lowest free descriptors: the target among them.
	// tcp-socket-listen then execs itself afresh with that descriptor
	// kept open, so that the new runtime's poller goes elsewhere.
	r, _ := testkit.Pipe(t)
	argv := append([]string{testkit.ProbePath()}, tsl("127.0.0.1", "0")...)
	env := []string{"PROBE_LAUNCH=nonblocking-stdin"}
	res := testkit.Launch{Argv: argv, Env: env, Stdin: r}.Run(t)
	if res.Report == nil {
		t.Fatalf("exit %d: %s", res.Exit, res.Stderr)
	}
	testkit.SocketAt(t, res.Report, 3)
	if len(res.Report.FDs) != 4 || res.Report.Pid != res.Pid {
		t.Errorf("descriptors %v, pid %d of %d; want 0-2 and the socket, in the started process", res.Report.FDs, res.Report.Pid, res.Pid)
	}
	strace, err := testkit.FindProgram("strace")
	if err != nil {
		t.Logf("not checking that it restarted once: %v", err)
		return
	}
	// The restart is what made it work: tcp-socket-listen ran twice.
	trace := filepath.Join(t.TempDir(), "trace")
	argv = append([]string{strace, "-f", "-qq", "-e", "trace=execve", "-o", trace}, argv...)
	if res := (testkit.Launch{Argv: argv, Env: env, Stdin: r}).Run(t); res.Report == nil {
		t.Fatalf("under strace: exit %d: %s", res.Exit, res.Stderr)
	}
	data, _ := os.ReadFile(trace)
	if n := strings.Count(string(data), `execve("/proc/self/exe"`); n != 1 {
		t.Errorf("tcp-socket-listen restarted itself %d times; want once:\n%s", n, data)
	}
}

func TestNonblockingStdinWithoutProc(t *testing.T) {
	// Without /proc there is no /proc/self/exe to restart from, and the
	// target the runtime holds is refused rather than taken from it.
	r, _ := testkit.Pipe(t)
	argv := sandbox(t, "umount -l /proc", append([]string{testkit.ProbePath()}, tsl("127.0.0.1", "0")...)...)
	fails(t, testkit.Launch{Argv: argv, Env: []string{"PROBE_LAUNCH=nonblocking-stdin"}, Stdin: r}.Run(t),
		"descriptor 3 is in use by the Go runtime, and restarting from /proc/self/exe: no such file or directory")
}

func TestTargetBeyondCallersSoftLimit(t *testing.T) {
	// Unlike the C original, a target past the caller's soft limit but
	// within the hard one is placed: the runtime raised the soft limit at
	// start and keeps the caller's value to itself (gccgo's runtime does
	// not: this program does it for that build). It restores that value
	// at exec, and next-prog can use the descriptor all the same; a build
	// by Go 1.19 or 1.20 leaves next-prog the hard limit (the manual,
	// BUILDS).
	script := `ulimit -Sn 64 && LISTEN_PID=$$ && export LISTEN_PID && exec "$@"`
	argv := append([]string{"/bin/sh", "-c", script, "sh"}, tslBinary, "--systemd-compatibility", "127.0.0.1", "0",
		"/bin/sh", "-c", `ulimit -Sn; ls -l /proc/$$/fd/103`)
	res := testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDS=100"}}.Run(t)
	want := "64"
	if !testkit.Toolchain(tslBinary).RestoresNofile() {
		var lim syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		want = strconv.FormatUint(lim.Max, 10)
	}
	if res.Exit != 0 || !strings.HasPrefix(res.Stdout, want+"\n") || !strings.Contains(res.Stdout, "103 -> socket:") {
		t.Errorf("exit %d, stdout %q, stderr %q; want limit %s and the socket on 103 (%s build)", res.Exit, res.Stdout, res.Stderr, want, testkit.Toolchain(tslBinary))
	}
}

func TestClosedStandardDescriptorsBecomeDevNull(t *testing.T) {
	// The Go runtime opens /dev/null on a closed 0, 1 or 2 before main
	// (Go 1.22 and later), and so does the program for the builds of
	// older toolchains; next-prog inherits it. Pinned here.
	dir := t.TempDir()
	out := testkit.File(t, filepath.Join(dir, "out"), os.Create)
	testkit.Start(t, []string{tslBinary, "127.0.0.1", "0", "/bin/ls", "-l", "/proc/self/fd/"}, []string{"PATH=" + os.Getenv("PATH")}, []*os.File{nil, out, nil}, dir)
	data, _ := os.ReadFile(out.Name())
	for _, fd := range []string{" 0 -> /dev/null", " 2 -> /dev/null", " 3 -> socket:"} {
		if !strings.Contains(string(data), fd) {
			t.Errorf("next-prog's descriptors lack %q:\n%s", fd, data)
		}
	}
}
