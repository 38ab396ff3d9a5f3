//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// TestPidsComingRound: next-prog's first PATH candidate is a file the
// kernel will not run, so each connection costs a fork whose exec fails
// (syscall.ForkExec waits for that child itself, but the reaper, waiting
// for any child, may take it first) before the fork that succeeds. In a
// pid namespace of 100 pids they come round every 50 connections or so;
// through 400 connections the limit must hold, and every child be
// reaped as itself. (A reaper that collected a failed exec's child while
// a fork was in progress would free its pid for that fork's child, which
// could then be taken for the child that ended; these runs did not bring
// that about, and TestUnrecordedChildKeptWhileForking checks directly
// that the reaper leaves such a child alone until the fork has ended.)
func TestPidsComingRound(t *testing.T) {
	unshare := testkit.SystemProgram(t, "unshare", "util-linux")
	if os.Geteuid() != 0 {
		t.Skip("needs root for a pid namespace with its own pid_max")
	}
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad"), filepath.Join(dir, "good")
	for _, d := range []string{bad, good} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bad, "probe"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testkit.ProbePath(), filepath.Join(good, "probe")); err != nil {
		t.Fatal(err)
	}
	const limit = 10
	l, addr := listener(t, "127.0.0.1", -1)
	script := `echo 400 > /proc/sys/kernel/pid_max && exec "$@"`
	s := start(t, serverSpec{
		argv:   []string{unshare, "-pf", "--mount-proc", "/bin/sh", "-c", script, "sh", tsaBinary, "-v", "-c", strconv.Itoa(limit), "probe"},
		files:  []*os.File{l},
		noPath: true,
		env:    []string{"PATH=" + bad + ":" + good, "PROBE_MODE=hold"},
	})
	counts := load(t, addr, 400, 40, 0)
	for _, n := range counts {
		if n > limit {
			t.Fatalf("%d children at once; the limit is %d", n, limit)
		}
	}
	log := s.waitLog(`(?s)(ended.*){400}`)
	started := startedLine.FindAllStringSubmatch(log, -1)
	ended := endedLine.FindAllStringSubmatch(log, -1)
	if len(started) != 400 || len(ended) != 400 {
		t.Errorf("%d started and %d ended lines; want 400 each", len(started), len(ended))
	}
}
