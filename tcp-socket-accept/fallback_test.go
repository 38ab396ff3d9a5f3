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
	"sync"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
)

// The server serves on Linux in one of two ways (events_linux.go): one
// loop, with a pidfd for each child, or, where pidfds cannot watch every
// child it may have, as on the BSDs and macOS, a loop for each listener
// and a reaper in waitid. make check runs the tests a second time with
// ACCEPT_TEST_FALLBACK=1, which starts every server as a child subreaper
// (subreaperWrapper): the second way.

// fallbackPass tells whether this run is make check's second pass.
func fallbackPass() bool { return os.Getenv("ACCEPT_TEST_FALLBACK") != "" }

// helpers are the C programs of ../testdata the tests build, once each.
var helpers struct {
	mu    sync.Mutex
	built map[string]string
}

// cHelper is ../testdata/NAME.c, built once; the test skips without a C
// compiler, but in the fallback pass, which needs one.
func cHelper(t *testing.T, name string) string {
	t.Helper()
	helpers.mu.Lock()
	defer helpers.mu.Unlock()
	if p, ok := helpers.built[name]; ok {
		return p
	}
	if _, err := exec.LookPath("cc"); err != nil && !fallbackPass() {
		t.Skip("no C compiler (cc) for testdata/" + name + ".c")
	}
	dir, err := os.MkdirTemp("", name+"-")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if out, err := exec.Command("cc", "-o", p, "../testdata/"+name+".c").CombinedOutput(); err != nil {
		t.Fatalf("building testdata/%s.c: %v: %s", name, err, out)
	}
	if helpers.built == nil {
		helpers.built = map[string]string{}
	}
	helpers.built[name] = p
	return p
}

// subreaperWrapper is ../testdata/subreaper.c, built.
func subreaperWrapper(t *testing.T) string { return cHelper(t, "subreaper") }

// readiedThreads is how many threads the server readies with two Ps and
// one listener, in the way this run serves.
func readiedThreads(names bool) int {
	if fallbackPass() || !pidfdWorks() {
		return threadsNeeded(2, loopsPerListener, names, true)
	}
	return threadsNeeded(2, 1, names, false)
}

// anonFDs counts the descriptors of process pid that are anon_inode:[kind].
func anonFDs(t *testing.T, pid int, kind string) int {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if link, _ := os.Readlink(dir + e.Name()); link == "anon_inode:["+kind+"]" {
			n++
		}
	}
	return n
}

// TestChildrenWatched: with pidfds, the server holds one for each
// running child, in an epoll set of its own beside the runtime's, and
// closes it once the child has ended and been collected.
func TestChildrenWatched(t *testing.T) {
	if fallbackPass() || !pidfdWorks() {
		t.Skip("serving without pidfds: " + map[bool]string{true: "the fallback pass", false: "pidfd_open fails here"}[fallbackPass()])
	}
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "cat"}, files: []*os.File{l}})
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		conns = append(conns, dial(t, addr))
	}
	s.waitLog(`started 3/40`)
	if n := anonFDs(t, s.proc.Pid, "pidfd"); n != 3 {
		t.Errorf("%d pidfds with 3 children running; want 3", n)
	}
	if n := anonFDs(t, s.proc.Pid, "eventpoll"); n != 2 {
		t.Errorf("%d epoll sets; want 2, the server's and the runtime's", n)
	}
	for _, c := range conns {
		c.Close()
	}
	s.waitLog(`ended status 1 code 0 0/40`)
	for deadline := time.Now().Add(5 * time.Second); anonFDs(t, s.proc.Pid, "pidfd") > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pidfds still open 5 s after the children ended")
		}
	}
}

// TestFallbackWays: a server that is a child subreaper, or that inherits
// a child, serves with a loop for each listener and a reaper, which
// collects the inherited child too; one that is neither, where pidfds
// work, with one loop and a pidfd per child.
func TestFallbackWays(t *testing.T) {
	cases := []struct {
		name string
		argv func(t *testing.T, argv ...string) []string
	}{
		{"subreaper", func(t *testing.T, argv ...string) []string {
			return append([]string{subreaperWrapper(t), argv[0]}, argv...)
		}},
		{"inherited child", func(t *testing.T, argv ...string) []string {
			return append([]string{"/bin/sh", "-c", `sleep 0.5 & exec "$@"`, "sh"}, argv...)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: c.argv(t, tsaBinary, "-v", "-c", "1", "echo", "served"), files: []*os.File{l}})
			for i := 0; i < 5; i++ {
				if got := served(t, addr); got != "served\n" {
					t.Fatalf("client %d got %q; stderr:\n%s", i, got, s.log())
				}
			}
			if n := anonFDs(t, s.proc.Pid, "eventpoll"); n != 1 {
				t.Errorf("%d epoll sets; want the runtime's alone", n)
			}
			// The inherited sleep, once ended, is collected, not left a
			// zombie; each child is, with its line.
			for deadline := time.Now().Add(5 * time.Second); len(machine.ChildPids(s.proc.Pid)) > 0 || strings.Count(s.log(), "ended status 1 code 0 0/1") < 5; time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("5 s on, children %v; stderr:\n%s", machine.ChildPids(s.proc.Pid), s.log())
				}
			}
		})
	}
}

// TestShutDownAtTheLimit: a listener shut down while the server is at
// its connection limit does not keep it busy: it waits, without
// spinning, until a slot frees, then finds the listener gone.
func TestShutDownAtTheLimit(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "-c", "1", "cat"}, files: []*os.File{l}})
	held := dial(t, addr)
	s.waitLog(`started 1/1`)
	if err := syscall.Shutdown(int(l.Fd()), syscall.SHUT_RDWR); err != nil {
		t.Fatal(err)
	}
	before := cpuTicks(t, s.proc.Pid)
	time.Sleep(time.Second)
	if used := cpuTicks(t, s.proc.Pid) - before; used > 10 {
		t.Errorf("the server used %d clock ticks of CPU in a second at its limit; want it waiting", used)
	}
	held.Close()
	s.waitLog(`FATAL: descriptor 3: accept: invalid argument`)
}

// TestAsProcessOne: as process 1 of a PID namespace (a container's, say),
// where every orphan is given to it, the server serves as a subreaper
// does, and collects the orphans: here the sleep of a child that leaves
// it behind.
func TestAsProcessOne(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, for a PID namespace of its own")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare(1) is not installed")
	}
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{unshare, "--pid", "--fork", "--kill-child", tsaBinary, "-v", "sh", "-c", "sleep 0.3 & echo served"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	if got := served(t, addr); got != "served\n" {
		t.Fatalf("the client got %q; stderr:\n%s", got, s.log())
	}
	server := 0
	for deadline := time.Now().Add(5 * time.Second); server == 0; time.Sleep(10 * time.Millisecond) {
		if kids := machine.ChildPids(s.proc.Pid); len(kids) == 1 {
			server = kids[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("no server under unshare")
		}
	}
	if n := anonFDs(t, server, "eventpoll"); n != 1 {
		t.Errorf("%d epoll sets; want the runtime's alone", n)
	}
	// The orphaned sleep ends 0.3 s on, and is collected.
	time.Sleep(500 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); len(machine.ChildPids(server)) > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("children left: %v (zombies: the orphan was not collected)", machine.ChildPids(server))
		}
	}
}

// TestTracedChild: a child that another process traces ends, and its
// pidfd says so, but it is the tracer's to collect first: the server
// looks at it again, without spinning, until it can collect it, and its
// slot frees then.
func TestTracedChild(t *testing.T) {
	if fallbackPass() || !pidfdWorks() {
		t.Skip("serving without pidfds")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, to trace the server's child")
	}
	tracer := cHelper(t, "tracer")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "-c", "1", "cat"}, files: []*os.File{l}})
	held := dial(t, addr)
	s.waitLog(`started 1/1`)
	kids := machine.ChildPids(s.proc.Pid)
	if len(kids) != 1 {
		t.Fatalf("children %v; want one", kids)
	}
	cmd := exec.Command(tracer, strconv.Itoa(kids[0]))
	release, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); line != "seized\n" {
		t.Fatalf("tracer said %q, %v", line, err)
	}
	held.Close() // cat ends; its tracer has not collected it
	time.Sleep(300 * time.Millisecond)
	if strings.Contains(s.log(), "ended") {
		t.Fatalf("collected before its tracer let it go:\n%s", s.log())
	}
	before := cpuTicks(t, s.proc.Pid)
	time.Sleep(time.Second)
	if used := cpuTicks(t, s.proc.Pid) - before; used > 10 {
		t.Errorf("the server used %d clock ticks of CPU in a second waiting for the traced child; want it waiting", used)
	}
	release.Write([]byte("go\n"))
	s.waitLog(`ended status 1 code 0 0/1`)
	next := dial(t, addr)
	defer next.Close()
	s.waitLog(`started 1/1(?s:.*)started 1/1`)
}
