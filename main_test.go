//go:build linux

package main

import (
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// The tests build tcp-socket-listen once, run it as a process, and chain
// it into a probe: this test binary again, which, finding PROBE_OUT in
// its environment, writes down what it inherited and exits (package
// testkit). Each file holds the tests of one subject.

var tslBinary string // the built tcp-socket-listen

func TestMain(m *testing.M) {
	testkit.Main(m, map[string]func(string) int{
		"PROBE_RESOLVE_WITHOUT_ROOM": func(args string) int { return resolveWithoutRoom(strings.Split(args, " ")) },
	}, testkit.Build{Dir: ".", Name: "tcp-socket-listen", Path: &tslBinary})
}

// builtPollerFDs is how many descriptors the runtime of the binary under test
// opens for its poller: it depends on the toolchain that built it.
func builtPollerFDs() int {
	return testkit.Toolchain(tslBinary).PollerFDs()
}

// tsl is a command line: tcp-socket-listen with args, then the probe.
func tsl(args ...string) []string {
	return append([]string{tslBinary}, append(args, testkit.ProbePath())...)
}

// fails checks that a run ended as bad input must: one FATAL line, exit
// status 1, and no exec.
func fails(t *testing.T, res testkit.Result, want string) {
	t.Helper()
	testkit.Fails(t, res, "tcp-socket-listen", want)
}

// sandbox runs argv after setup in a private network and mount namespace
// where this directory's testdata stands in for the system's hosts,
// services and nsswitch.conf, or skips the test, saying why.
func sandbox(t *testing.T, setup string, argv ...string) []string {
	t.Helper()
	return testkit.Sandbox(t, "testdata", setup, argv...)
}

const (
	inet  = syscall.AF_INET
	inet6 = syscall.AF_INET6
)
