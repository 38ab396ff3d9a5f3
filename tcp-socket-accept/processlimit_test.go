//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The server at a process limit: the user's RLIMIT_NPROC, and a pids
// cgroup (systemd's TasksMax=), each of which counts the server's threads
// with its children. Forks fail there with EAGAIN; the server drops the
// connection with an ERROR line and rests. A thread the Go runtime could
// not start there would be a fatal error, so the server starts every
// thread it can need before it serves (readyThreads), and must never
// start another.

// limitRuns is how many times each limit is met, a fresh server each
// time: the runtime's need for a thread comes at moments of its own (the
// first collection, a thread blocked in a long system call), which one
// run may miss.
const limitRuns = 20

// tasksAtMost is the limit: 14 of the server's threads (15 now and
// then), and the rest for children.
const tasksAtMost = 30

// atLimitChild is next-prog: it says it is served, then holds its task a
// while, so that the load fills the limit.
var atLimitChild = []string{"/bin/sh", "-c", "echo served; exec sleep 0.3"}

// limitUID is the first of the users, with no name, the server runs as
// under RLIMIT_NPROC: root is exempt from it.
const limitUID = 64200

// TestAtRLIMIT_NPROC: the server runs as a user of its own, for root is
// exempt from RLIMIT_NPROC.
func TestAtRLIMIT_NPROC(t *testing.T) {
	t.Parallel() // with TestAtPidsCgroup: neither limit counts the other's
	setpriv, prlimit := limitTools(t)
	for i := 0; i < limitRuns; i++ {
		// A user of its own for each run, whose limit the last run's
		// processes, killed but perhaps not yet reaped, do not count
		// against.
		uid := strconv.Itoa(limitUID + i)
		awaitNoProcesses(t, uid)
		argv := []string{prlimit, "--nproc=" + strconv.Itoa(tasksAtMost), setpriv, "--reuid=" + uid, "--regid=" + uid, "--clear-groups", tsaBinary, "-c", "100"}
		if !serveAtLimit(t, i, append(argv, atLimitChild...)) {
			return
		}
	}
}

// TestAtPidsCgroup: the server runs as root in a cgroup of its own whose
// pids.max is the limit.
func TestAtPidsCgroup(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to make a cgroup")
	}
	for i := 0; i < limitRuns; i++ {
		cg := pidsCgroup(t, tasksAtMost)
		argv := []string{"/bin/sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cg, tsaBinary, "-c", "100"}
		if !serveAtLimit(t, i, append(argv, atLimitChild...)) {
			return
		}
	}
}

// serveAtLimit runs argv, a server under a limit, loaded by 40 clients at
// once for half a second, and on until they reach the limit; it must run
// on, on the threads it had when it first served, drop clients with one
// ERROR line (limited), and serve again when its children have ended. It tells
// whether the run passed.
func serveAtLimit(t *testing.T, run int, argv []string) bool {
	t.Helper()
	l, addr := listener(t, "127.0.0.1", -1)
	// A short queue, so that the clients dropped while the load lasts,
	// which have closed by then, are soon accepted and gone after it.
	if err := syscall.Listen(int(l.Fd()), 8); err != nil {
		t.Fatal(err)
	}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	defer s.kill()
	if got := served(t, addr); got != "served\n" {
		t.Errorf("run %d: the first client got %q; stderr:\n%s", run, got, s.log())
		return false
	}
	before := threads(t, s.proc.Pid)
	stop := hammer(addr, 40, nil)
	// Half a second reaches the limit on an idle machine; a loaded one
	// (CI, the suites of several builds at once) may fork too slowly to
	// fill it by then, so the load lasts until a fork is refused, for 5
	// seconds at most.
	time.Sleep(500 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !strings.Contains(s.log(), ", unable to fork: "); {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if !s.alive() {
		t.Errorf("run %d: the server ended at the limit; stderr:\n%s", run, s.log())
		return false
	}
	if after := threads(t, s.proc.Pid); after > before {
		t.Errorf("run %d: %d threads after the load; %d when it first served", run, after, before)
	}
	log := s.log()
	if !strings.Contains(log, "ERROR: dropping connection from 127.0.0.1 ") || !strings.Contains(log, ", unable to fork: resource temporarily unavailable") {
		t.Errorf("run %d: no fork refused under the limit; stderr:\n%s", run, log)
		return false
	}
	for _, line := range strings.SplitAfter(strings.TrimSuffix(log, "\n"), "\n") {
		if !strings.Contains(line, ", unable to fork: resource temporarily unavailable") {
			t.Errorf("run %d: line %q", run, line)
		}
	}
	// The children end within 0.3 s; then a client is served again.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c := dial(t, addr)
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if line == "served\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("run %d: no client served within 5 s of the load; stderr:\n%s", run, s.log())
			return false
		}
	}
	if run == 0 {
		t.Logf("threads: %d", before)
	}
	return true
}

// limitTools are the paths of setpriv(1) and prlimit(1), which run the
// server as another user than root, which RLIMIT_NPROC exempts, under a
// limit.
func limitTools(t *testing.T) (setpriv, prlimit string) {
	t.Helper()
	setpriv, err1 := exec.LookPath("setpriv")
	prlimit, err2 := exec.LookPath("prlimit")
	if err1 != nil || err2 != nil {
		t.Skip("setpriv(1) or prlimit(1) is not installed")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the server as another user")
	}
	return setpriv, prlimit
}

// awaitNoProcesses waits until user runs nothing, for what it runs
// counts against its limit.
func awaitNoProcesses(t *testing.T, user string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out, _ := exec.Command("ps", "-u", user, "--no-headers").Output()
		if len(out) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Skipf("%s runs processes, which count against the limit:\n%s", user, out)
		}
	}
}

// pidsCgroup makes a cgroup whose pids.max is max, removed when the test
// ends, and returns its directory: under the pids hierarchy of cgroup v1,
// or under cgroup v2's root, where pids is then enabled.
func pidsCgroup(t *testing.T, max int) string {
	t.Helper()
	root := pidsHierarchy(t)
	dir, err := os.MkdirTemp(root, "tcp-socket-accept-test-")
	if err != nil {
		t.Skipf("cannot make a cgroup: %v", err)
	}
	t.Cleanup(func() {
		// Its processes, killed with the server, may take a moment to go.
		for deadline := time.Now().Add(5 * time.Second); os.Remove(dir) != nil && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	})
	if err := os.WriteFile(filepath.Join(dir, "pids.max"), []byte(strconv.Itoa(max)), 0o644); err != nil {
		t.Skipf("cannot set the cgroup's pids.max: %v", err)
	}
	return dir
}

// pidsHierarchy is where pids cgroups can be made, from
// /proc/self/mountinfo; the test is skipped when there is none.
func pidsHierarchy(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Skip(err)
	}
	v2 := ""
	for _, line := range strings.Split(string(data), "\n") {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS] - TYPE SOURCE SUPEROPTIONS
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 3 {
			continue
		}
		switch {
		case g[0] == "cgroup" && hasOption(g[2], "pids"):
			return f[4]
		case g[0] == "cgroup2" && v2 == "":
			v2 = f[4]
		}
	}
	if v2 == "" {
		t.Skip("no pids cgroup hierarchy is mounted")
	}
	controllers, err := os.ReadFile(filepath.Join(v2, "cgroup.controllers"))
	if err != nil || !hasOption(strings.Join(strings.Fields(string(controllers)), ","), "pids") {
		t.Skipf("cgroup v2 at %s offers no pids controller: %q, %v", v2, controllers, err)
	}
	// Left enabled: a controller enabled in the root's subtree changes
	// nothing for the cgroups that set no limit.
	if err := os.WriteFile(filepath.Join(v2, "cgroup.subtree_control"), []byte("+pids"), 0o644); err != nil {
		t.Skipf("cannot enable pids under %s: %v", v2, err)
	}
	return v2
}

func hasOption(options, name string) bool {
	for _, o := range strings.Split(options, ",") {
		if o == name {
			return true
		}
	}
	return false
}
