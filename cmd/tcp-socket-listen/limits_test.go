//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Tiny descriptor limits: the Go runtime's poller dies with a stack trace
// when it cannot open its epoll and eventfd, so tcp-socket-listen must
// make sure of the room before anything starts it.

// launcherLimited makes standard input non-blocking if PROBE_STDIN says
// so, and sets RLIMIT_NOFILE, soft and hard, to PROBE_NOFILE.
func launcherLimited() {
	if os.Getenv("PROBE_STDIN") == "nonblocking" {
		if err := syscall.SetNonblock(0, true); err != nil {
			panic(err)
		}
	}
	n, err := strconv.ParseUint(os.Getenv("PROBE_NOFILE"), 10, 64)
	if err != nil {
		panic(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		panic(err)
	}
}

// limitedRun runs tcp-socket-listen with args in the sandbox, at a
// descriptor limit, with a blocking or non-blocking standard input. Its
// next-prog is ls, not the probe: no Go program can start at the limits
// where tcp-socket-listen just manages, since the runtime's cgroup v1
// reading leaks a descriptor when it finds no room for a second.
func limitedRun(t *testing.T, limit int, nonblocking bool, args ...string) result {
	t.Helper()
	stdin, _ := testPipe(t)
	env := []string{"PROBE_LAUNCH=limited", "PROBE_NOFILE=" + strconv.Itoa(limit)}
	if nonblocking {
		env = append(env, "PROBE_STDIN=nonblocking")
	}
	argv := append(append([]string{probePath(), tslBinary}, args...), "/bin/ls", "-l", "/proc/self/fd/3")
	return launch{argv: sandbox(t, "", argv...), env: env, stdin: stdin}.run(t)
}

// ran tells whether next-prog ran and found a socket on descriptor 3.
func ran(res result) bool {
	return res.exit == 0 && strings.Contains(res.stdout, "/proc/self/fd/3 -> socket:[") && res.stderr == ""
}

// oneLineOrSuccess checks that a run either failed as bad input must,
// with one FATAL line and exit status 1, or ran next-prog with the socket
// on descriptor 3.
func oneLineOrSuccess(t *testing.T, res result) {
	t.Helper()
	if ran(res) {
		return
	}
	lines := strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n")
	if res.exit != 1 || res.stdout != "" || len(lines) != 1 || !strings.HasPrefix(res.stderr, "tcp-socket-listen: FATAL: ") {
		t.Errorf("exit %d, stdout %q, %d lines of stderr; want one FATAL line and exit 1, or next-prog:\n%s",
			res.exit, res.stdout, len(lines), firstLines(res.stderr, 4))
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
			if nonblocking && limit <= 4 {
				continue // TestRuntimeDiesBeforeMain
			}
			for _, c := range limitCases {
				name := strconv.Itoa(limit) + " " + c.name
				if nonblocking {
					name += " non-blocking"
				}
				t.Run(name, func(t *testing.T) {
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

// limitMessage is the error that the measured runs give where it does not
// depend on the machine; at a limit of 4 the runtime's cgroup v1 reading
// may leak a descriptor onto 3 before main, which changes the step that
// finds no room.
func limitMessage(limit int, nonblocking bool, name string) string {
	// A service name is read with plain system calls: no poller.
	lookup := name == "host name"
	subject := "localhost 0"
	switch {
	case !nonblocking && lookup && (limit == 5 || limit == 6):
		// 0-2, and the placeholder on 3: the lookup's file and the
		// poller's epoll and eventfd need three more.
		return subject + ": looking up a name needs 3 free descriptors (2 for the Go runtime's poller); the limit of " +
			strconv.Itoa(limit) + " (RLIMIT_NOFILE) leaves " + strconv.Itoa(limit-4)
	case nonblocking && limit == 5:
		// The poller took 3 and 4 before main.
		return "reading /proc/self/environ: too many open files"
	case nonblocking && limit == 6:
		// Restarted, 3 would be held, the new runtime's poller would take
		// 4 and 5, and nothing would be left.
		return "descriptor 3 is in use by the Go runtime, and restarting needs 3 free descriptors (2 for the new Go runtime's poller); " +
			"the limit of 6 (RLIMIT_NOFILE) leaves 2"
	case !nonblocking && limit == 3:
		return "reading /proc/self/environ: too many open files"
	}
	return ""
}

// TestRuntimeDiesBeforeMain pins the one case no code of ours can help: a
// non-blocking standard input makes package os start the poller during
// its initialisation, before main, and at a limit of 3 or 4 there is no
// room for it. If a Go release changes this, the README and the manual
// page need changing too.
func TestRuntimeDiesBeforeMain(t *testing.T) {
	for _, limit := range []int{3, 4} {
		for _, c := range limitCases {
			t.Run(strconv.Itoa(limit)+" "+c.name, func(t *testing.T) {
				res := limitedRun(t, limit, true, c.args...)
				died := strings.Contains(res.stderr, "\nfatal error: runtime: netpollinit failed\n") ||
					strings.Contains(res.stderr, "\nfatal error: runtime: eventfd failed\n")
				if res.exit != 2 || res.stdout != "" || !died || !strings.Contains(res.stderr, "\nos.init()") {
					t.Errorf("exit %d, stdout %q; want the runtime to die in os.init with exit status 2:\n%s",
						res.exit, res.stdout, firstLines(res.stderr, 20))
				}
			})
		}
	}
}

func TestLimitWithoutLookupsUntouched(t *testing.T) {
	// A numeric host and service start no poller: one descriptor to
	// spare for the socket is enough, and next-prog gets the caller's
	// limit back.
	argv := append([]string{"/bin/sh", "-c", `ulimit -n 5 && exec "$@"`, "sh"}, tslBinary, "127.0.0.1", "0", "/bin/sh", "-c", "ulimit -n")
	if res := (launch{argv: argv}).run(t); res.stdout != "5\n" || res.exit != 0 {
		t.Errorf("limit 5: exit %d, stdout %q, stderr %q; want next-prog to see 5", res.exit, res.stdout, res.stderr)
	}
}

func TestLookupRoomWithPollerRunning(t *testing.T) {
	// With standard input non-blocking the poller runs from the start, on
	// 5 and 6 here; the target 7 takes the last descriptor below the
	// limit, and the lookup has none left for its files.
	p3, _ := testPipe(t)
	p4, _ := testPipe(t)
	stdin, _ := testPipe(t)
	argv := asOwnPid(probePath(), tslBinary, "--systemd-compatibility", "localhost", "0", "/bin/ls", "-l", "/proc/self/fd/7")
	env := []string{"PROBE_LAUNCH=limited", "PROBE_NOFILE=8", "PROBE_STDIN=nonblocking", "LISTEN_FDS=4"}
	res := launch{argv: sandbox(t, "", argv...), env: env, stdin: stdin, files: []*os.File{p3, p4}}.run(t)
	fails(t, res, "localhost 0: looking up a name needs 1 free descriptor; the limit of 8 (RLIMIT_NOFILE) leaves 0")
	// With one more, the same runs.
	env[1] = "PROBE_NOFILE=9"
	res = launch{argv: sandbox(t, "", argv...), env: env, stdin: stdin, files: []*os.File{p3, p4}}.run(t)
	if res.exit != 0 || !strings.Contains(res.stdout, "/proc/self/fd/7 -> socket:[") {
		t.Errorf("limit 9: exit %d, stdout %q, stderr %q; want the socket on 7", res.exit, res.stdout, res.stderr)
	}
}
