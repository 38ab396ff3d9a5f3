//go:build linux

package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// Tiny descriptor limits: the Go runtime's poller dies with a stack trace
// when it cannot open its epoll and eventfd, so tcp-socket-listen must
// make sure of the room before anything starts it.

// limitedRun runs tcp-socket-listen with args in the sandbox, at a
// descriptor limit, with a blocking or non-blocking standard input. Its
// next-prog is ls, not the probe: no Go program can start at the limits
// where tcp-socket-listen just manages, since the runtime's cgroup v1
// reading leaks a descriptor when it finds no room for a second.
func limitedRun(t *testing.T, limit int, nonblocking bool, args ...string) testkit.Result {
	t.Helper()
	stdin, _ := testkit.Pipe(t)
	env := []string{"PROBE_LAUNCH=limited", "PROBE_NOFILE=" + strconv.Itoa(limit)}
	if nonblocking {
		env = append(env, "PROBE_STDIN=nonblocking")
	}
	argv := append(append([]string{testkit.ProbePath(), tslBinary}, args...), "/bin/ls", "-l", "/proc/self/fd/3")
	return testkit.Launch{Argv: sandbox(t, "", argv...), Env: env, Stdin: stdin}.Run(t)
}

// ran tells whether next-prog ran and found a socket on descriptor 3.
func ran(res testkit.Result) bool {
	return res.Exit == 0 && strings.Contains(res.Stdout, "/proc/self/fd/3 -> socket:[") && res.Stderr == ""
}

// oneLineOrSuccess checks that a run either failed as bad input must,
// with one FATAL line and exit status 1, or ran next-prog with the socket
// on descriptor 3.
func oneLineOrSuccess(t *testing.T, res testkit.Result) {
	t.Helper()
	if ran(res) {
		return
	}
	lines := strings.Split(strings.TrimSuffix(res.Stderr, "\n"), "\n")
	if res.Exit != 1 || res.Stdout != "" || len(lines) != 1 || !strings.HasPrefix(res.Stderr, "tcp-socket-listen: FATAL: ") {
		t.Errorf("exit %d, stdout %q, %d lines of stderr; want one FATAL line and exit 1, or next-prog:\n%s",
			res.Exit, res.Stdout, len(lines), firstLines(res.Stderr, 4))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...\n")
	}
	return strings.Join(lines, "")
}

var limitCases = []struct {
	name string
	args []string
}{
	{"numeric host", []string{"127.0.0.1", "0"}},
	{"host name", []string{"localhost", "0"}},
	{"service name", []string{"127.0.0.1", "tsl-test"}},
	{"check interfaces", []string{"--check-interfaces", "127.0.0.1", "0"}},
}

func TestTinyDescriptorLimits(t *testing.T) {
	for limit := 3; limit <= 8; limit++ {
		for _, nonblocking := range []bool{false, true} {
			if diesBeforeMain(limit, nonblocking) {
				continue // TestRuntimeDiesBeforeMain
			}
			for _, c := range limitCases {
				t.Run(limitCaseName(limit, c.name, nonblocking), func(t *testing.T) {
					res := limitedRun(t, limit, nonblocking, c.args...)
					oneLineOrSuccess(t, res)
					if want := limitMessage(limit, nonblocking, c.name); want != "" {
						fails(t, res, want)
					}
					if limit == 8 && !ran(res) {
						t.Errorf("limit 8: next-prog did not run; want room for everything")
					}
				})
			}
		}
	}
}

// limitCaseName names a subtest: "5 host name non-blocking".
func limitCaseName(limit int, name string, nonblocking bool) string {
	name = strconv.Itoa(limit) + " " + name
	if nonblocking {
		name += " non-blocking"
	}
	return name
}

// limitMessage is the error that the measured runs give where it does not
// depend on the machine; at a limit of 4 the runtime's cgroup v1 reading
// may leak a descriptor onto 3 before main, which changes the step that
// finds no room.
func limitMessage(limit int, nonblocking bool, name string) string {
	// A service name is read with plain system calls: no poller.
	lookup := name == "host name"
	subject := "localhost 0"
	// The poller's epoll and eventfd, or epoll and pipe (Go before 1.23,
	// gccgo).
	poller := builtPollerFDs()
	need := strconv.Itoa(1+poller) + " free descriptors (" + strconv.Itoa(poller) + " for the "
	switch {
	case !nonblocking && lookup && limit >= 5 && limit-4 < 1+poller:
		// 0-2, and the placeholder on 3: the lookup's file and the
		// poller's descriptors need more.
		return subject + ": looking up a name needs " + need + "Go runtime's poller); the limit of " +
			strconv.Itoa(limit) + " (RLIMIT_NOFILE) leaves " + strconv.Itoa(limit-4)
	case nonblocking && limit == 3+poller:
		// The poller took 3 and up before main.
		return "reading /proc/self/environ: too many open files"
	case nonblocking && limit == 4+poller:
		// Restarted, 3 would be held, the new runtime's poller would take
		// the next ones, and too few would be left.
		return "descriptor 3 is in use by the Go runtime, and restarting needs " + need + "new Go runtime's poller); " +
			"the limit of " + strconv.Itoa(limit) + " (RLIMIT_NOFILE) leaves " + strconv.Itoa(limit-4)
	case !nonblocking && limit == 3:
		return "reading /proc/self/environ: too many open files"
	}
	return ""
}

// TestRuntimeDiesBeforeMain pins the cases no code of ours can help: a
// non-blocking standard input makes package os start the poller during
// its initialisation, before main, and below a limit of 3 more than the
// poller needs (5, or 6 for a poller woken by a pipe) there is no room
// for it; gccgo's runtime also needs two descriptors before main, however
// standard input is (testkit.BuildTool.StartFDs). If a Go release changes
// this, ENGINEERING.md and the manual page need changing too.
func TestRuntimeDiesBeforeMain(t *testing.T) {
	tool := testkit.Toolchain(tslBinary)
	survived, blocking := 0, 0 // gccgo's runs with a blocking standard input
	for limit := 3; limit <= 8; limit++ {
		for _, nonblocking := range []bool{false, true} {
			if !diesBeforeMain(limit, nonblocking) {
				continue
			}
			for _, c := range limitCases {
				t.Run(limitCaseName(limit, c.name, nonblocking), func(t *testing.T) {
					res := limitedRun(t, limit, nonblocking, c.args...)
					if tool.Compiler == "gccgo" && !nonblocking {
						blocking++
						if ran(res) || res.Exit == 1 {
							// The memory profile's first sample may
							// come after main, when nothing records it.
							survived++
							oneLineOrSuccess(t, res)
							return
						}
					}
					if res.Exit <= 1 || res.Stdout != "" || !diedBeforeMain(tool, res.Stderr) {
						t.Errorf("exit %d, stdout %q; want the runtime of the %s build to die before main:\n%s",
							res.Exit, res.Stdout, tool, firstLines(res.Stderr, 20))
					}
				})
			}
		}
	}
	if blocking > 0 && survived == blocking {
		// Most runs die (measured: 63 in 80 at limits 3 and 4); that
		// none did says that gccgo's runtime no longer needs them.
		t.Errorf("gccgo's build survived all %d runs with a blocking standard input at a limit of 3 or 4; the manual says it may die", blocking)
	}
}

// diesBeforeMain tells whether the runtime of the binary under test has,
// or for gccgo may have, too few descriptors to start at limit.
func diesBeforeMain(limit int, nonblocking bool) bool {
	return limit-3 < testkit.Toolchain(tslBinary).StartFDs(nonblocking)
}

// diedBeforeMain tells whether stderr is a runtime's death for want of a
// descriptor: its poller's, in package os's initialisation, or gccgo's
// libbacktrace opening the executable (errno 24, EMFILE).
func diedBeforeMain(tool testkit.BuildTool, stderr string) bool {
	poller := strings.Contains(stderr, "\nfatal error: runtime: netpollinit failed\n") ||
		strings.Contains(stderr, "\nfatal error: runtime: eventfd failed\n") ||
		strings.Contains(stderr, "\nfatal error: runtime: pipe failed\n")
	if tool.Compiler == "gccgo" {
		return poller || strings.Contains(stderr, " errno 24\nfatal error: ")
	}
	return poller && strings.Contains(stderr, "\nos.init()")
}

func TestLimitWithoutLookupsUntouched(t *testing.T) {
	// A numeric host and service start no poller: one descriptor to
	// spare for the socket is enough, and next-prog gets the caller's
	// limit back.
	argv := append([]string{"/bin/sh", "-c", `ulimit -n 5 && exec "$@"`, "sh"}, tslBinary, "127.0.0.1", "0", "/bin/sh", "-c", "ulimit -n")
	if res := (testkit.Launch{Argv: argv}).Run(t); res.Stdout != "5\n" || res.Exit != 0 {
		t.Errorf("limit 5: exit %d, stdout %q, stderr %q; want next-prog to see 5", res.Exit, res.Stdout, res.Stderr)
	}
}

// TestRestartBelowCallersLimit: with standard input non-blocking and a
// soft limit below the hard one, the runtime's poller holds descriptor 3
// and the program restarts itself. gc's runtime raises the limit before
// the new poller starts (from Go 1.21; Go 1.19 and 1.20 never lower it),
// but gccgo's build, which raises it in main and gives the caller's back
// for the exec, must find room for the new poller below the caller's
// limit: at 6 there is none, and it says so rather than die.
func TestRestartBelowCallersLimit(t *testing.T) {
	for _, soft := range []int{6, 7} {
		stdin, _ := testkit.Pipe(t)
		argv := []string{testkit.ProbePath(), tslBinary, "127.0.0.1", "0", "/bin/ls", "-l", "/proc/self/fd/3"}
		env := []string{"PROBE_LAUNCH=limited", "PROBE_NOFILE=" + strconv.Itoa(soft), "PROBE_NOFILE_HARD=40", "PROBE_STDIN=nonblocking"}
		res := testkit.Launch{Argv: sandbox(t, "", argv...), Env: env, Stdin: stdin}.Run(t)
		if soft == 6 && testkit.Toolchain(tslBinary).Compiler == "gccgo" {
			fails(t, res, "descriptor 3 is in use by the Go runtime, and restarting needs 4 free descriptors (3 for the new Go runtime's poller); the limit of 6 (RLIMIT_NOFILE) leaves 2")
			continue
		}
		if !ran(res) {
			t.Errorf("soft limit %d, hard 40: exit %d, stdout %q, stderr:\n%s\nwant the socket on 3", soft, res.Exit, res.Stdout, firstLines(res.Stderr, 8))
		}
	}
}

func TestLookupRoomWithPollerRunning(t *testing.T) {
	// With standard input non-blocking the poller runs from the start, on
	// 5 and up (5 and 6 for a poller of two descriptors); the target just
	// past it takes the last descriptor below the limit, and the lookup
	// has none left for its files.
	p3, _ := testkit.Pipe(t)
	p4, _ := testkit.Pipe(t)
	stdin, _ := testkit.Pipe(t)
	target := 5 + builtPollerFDs()
	fd := "/proc/self/fd/" + strconv.Itoa(target)
	argv := testkit.AsOwnPid(testkit.ProbePath(), tslBinary, "--systemd-compatibility", "localhost", "0", "/bin/ls", "-l", fd)
	env := []string{"PROBE_LAUNCH=limited", "PROBE_NOFILE=" + strconv.Itoa(target+1), "PROBE_STDIN=nonblocking", "LISTEN_FDS=" + strconv.Itoa(target-3)}
	res := testkit.Launch{Argv: sandbox(t, "", argv...), Env: env, Stdin: stdin, Files: []*os.File{p3, p4}}.Run(t)
	fails(t, res, "localhost 0: looking up a name needs 1 free descriptor; the limit of "+strconv.Itoa(target+1)+" (RLIMIT_NOFILE) leaves 0")
	// With one more, the same runs.
	env[1] = "PROBE_NOFILE=" + strconv.Itoa(target+2)
	res = testkit.Launch{Argv: sandbox(t, "", argv...), Env: env, Stdin: stdin, Files: []*os.File{p3, p4}}.Run(t)
	if res.Exit != 0 || !strings.Contains(res.Stdout, fd+" -> socket:[") {
		t.Errorf("limit %d: exit %d, stdout %q, stderr %q; want the socket on %d", target+2, res.Exit, res.Stdout, res.Stderr, target)
	}
}

func TestInterfaceListingErrors(t *testing.T) {
	// With no descriptor free there is no room for the netlink socket
	// that lists interfaces. The failure is named as such, not as an
	// unknown interface, and without package net's "route ip+net:". The
	// binary cannot be brought to this point from outside (reading the
	// environment needs the same one descriptor, earlier), so the test
	// binary runs resolve itself, in a process of its own, once it has
	// filled every descriptor below its limit.
	cases := map[string]string{
		"-H fe80::1%lo 0":                "fe80::1%lo 0: interface lo: netlinkrib: too many open files",
		"--check-interfaces 127.0.0.1 0": "127.0.0.1 0: listing interface addresses: netlinkrib: too many open files",
	}
	for args, want := range cases {
		cmd := exec.Command(testkit.ProbePath())
		cmd.Env = []string{"PROBE_RESOLVE_WITHOUT_ROOM=" + args}
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != want+"\n" {
			t.Errorf("%s: %v, output %q; want %q", args, err, out, want)
		}
	}
}

// resolveWithoutRoom parses args as tcp-socket-listen's command line
// (with a next-prog added), fills every free descriptor below a limit
// just above the highest open one, runs resolve, and prints its error.
func resolveWithoutRoom(args []string) int {
	c, _, err := parseArgs(append(args, "true"))
	if err != nil {
		os.Stdout.WriteString("parse: " + err.Error() + "\n")
		return 1
	}
	high := 0
	for fd := range testkit.InheritedFDs() {
		if fd > high {
			high = fd
		}
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > high {
			high = fd
		}
	}
	lim := syscall.Rlimit{Cur: uint64(high + 1), Max: uint64(high + 1)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		os.Stdout.WriteString("setrlimit: " + err.Error() + "\n")
		return 1
	}
	for {
		if _, err := syscall.Dup(2); err != nil {
			break
		}
	}
	_, err = resolve(c)
	if err == nil {
		os.Stdout.WriteString("resolved\n")
		return 1
	}
	os.Stdout.WriteString(err.Error() + "\n")
	return 0
}
