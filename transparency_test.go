//go:build linux

package main

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// Transparency: what next-prog finds, started directly and through
// tcp-socket-listen from one launcher state.

func TestTransparency(t *testing.T) {
	dir := t.TempDir()
	out := testkit.File(t, filepath.Join(dir, "stdout"), os.Create)
	pr, _ := testkit.Pipe(t)
	devnull := testkit.File(t, os.DevNull, os.Open)
	// Descriptors 0-2, 3 closed (the target), 4 a pipe.
	files := []*os.File{devnull, out, out, nil, pr}
	reportFile := filepath.Join(dir, "report")
	// Repeated names, an empty entry, one without '=', bytes that are not
	// UTF-8: the kernel takes them all, and os.Environ would hide some.
	env := []string{"PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + reportFile, "Z=last first", "BYTES=\xff\xfe\x80 not UTF-8",
		"NOEQUALS", "DUP=1", "", "DUP=2", "EMPTY=", "=nameless", "LISTEN_FDNAMES=x", "NOEQUALS", "DUP=1", ""}
	through := []string{tslBinary, "127.0.0.1", "0"}
	next := []string{testkit.ProbePath(), "a", "", "b c", "\xff"}

	probeRun := func(prefix []string) (*testkit.Report, int) {
		os.Remove(reportFile)
		pid := testkit.Start(t, append(append([]string{}, prefix...), next...), env, files, dir)
		return testkit.ReadReport(t, reportFile), pid
	}
	direct, directPid := probeRun(nil)
	chained, chainedPid := probeRun(through)
	if direct.Pid != directPid || chained.Pid != chainedPid {
		t.Errorf("pids: direct %d of %d, through %d of %d; want the started process's own", direct.Pid, directPid, chained.Pid, chainedPid)
	}
	if !reflect.DeepEqual(direct.Raw, env) {
		t.Fatalf("the launcher did not pass the environment on exactly: %q; given %q", direct.Raw, env)
	}
	if !reflect.DeepEqual(chained.Raw, env) {
		t.Errorf("environment through tcp-socket-listen\n%q\ngiven\n%q", chained.Raw, env)
	}
	if !reflect.DeepEqual(chained.Args, direct.Args) || chained.Cwd != direct.Cwd {
		t.Errorf("argv %q in %q; direct %q in %q", chained.Args, chained.Cwd, direct.Args, direct.Cwd)
	}
	testkit.SocketAt(t, chained, 3)
	delete(chained.FDs, 3)
	if !reflect.DeepEqual(chained.FDs, direct.FDs) {
		t.Errorf("descriptors besides the socket: %v; direct %v", chained.FDs, direct.FDs)
	}

	k0 := testkit.ReadKernelState(t, nil, env, files, dir)
	k1 := testkit.ReadKernelState(t, through, env, files, dir)
	if k0.Umask != "0027" || k1.Umask != k0.Umask {
		t.Errorf("umask through %s, direct %s; want 0027", k1.Umask, k0.Umask)
	}
	want := strconv.Itoa(testkit.LaunchNofile) + " " + strconv.Itoa(testkit.LaunchNofileHi)
	wantThrough := want
	if !testkit.Toolchain(tslBinary).RestoresNofile() {
		// Go 1.19 and 1.20 raise the soft limit and never give the
		// caller's back (the manual, BUILDS).
		wantThrough = strconv.Itoa(testkit.LaunchNofileHi) + " " + strconv.Itoa(testkit.LaunchNofileHi)
	}
	if k0.Nofile != want || k1.Nofile != wantThrough {
		t.Errorf("RLIMIT_NOFILE through %q, direct %q; want %q and %q (%s build)", k1.Nofile, k0.Nofile, wantThrough, want, testkit.Toolchain(tslBinary))
	}
	delete(k1.FDs, "3")
	for _, k := range []testkit.KernelState{k0, k1} {
		delete(k.FDs, "1") // each run's own output file
		for fd, target := range k.FDs {
			if strings.HasPrefix(target, "/proc/") {
				delete(k.FDs, fd) // ls's own
			}
		}
	}
	if !reflect.DeepEqual(k1.FDs, k0.FDs) {
		t.Errorf("descriptors seen by ls, besides the socket: %v; direct %v", k1.FDs, k0.FDs)
	}
	// Signal state is compared over the signals the launcher set: the
	// tests' own caller may have left others ignored.
	ign0, ign1 := testkit.MaskOf(t, k0.SigIgn, testkit.LaunchIgnored), testkit.MaskOf(t, k1.SigIgn, testkit.LaunchIgnored)
	blk0, blk1 := testkit.MaskOf(t, k0.SigBlk, testkit.LaunchBlocked), testkit.MaskOf(t, k1.SigBlk, testkit.LaunchBlocked)
	if ign0 != testkit.Sigset(testkit.LaunchIgnored) || blk0 != testkit.Sigset(testkit.LaunchBlocked) {
		t.Fatalf("the launcher's state did not reach the direct run: ignored %x, blocked %x", ign0, blk0)
	}
	// What the Go runtime cannot keep, pinned so that a Go release that
	// keeps it is noticed (go.dev/issue/21078 and the os/signal docs): it
	// keeps an inherited SIG_IGN only for SIGHUP and SIGINT (and the stop
	// signals it leaves alone), and unblocks the signals it needs.
	wantIgn := testkit.Sigset([]syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGTSTP, syscall.SIGTTOU})
	wantBlk := testkit.Sigset([]syscall.Signal{syscall.SIGPIPE, syscall.SIGUSR2, syscall.SIGWINCH})
	if ign1 != wantIgn {
		t.Errorf("ignored through tcp-socket-listen: %x; Go %s today gives %x", ign1, runtime.Version(), wantIgn)
	}
	if blk1 != wantBlk {
		t.Errorf("blocked through tcp-socket-listen: %x; Go %s today gives %x", blk1, runtime.Version(), wantBlk)
	}
}
