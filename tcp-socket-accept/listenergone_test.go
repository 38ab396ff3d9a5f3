//go:build linux

package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// A listener that stops listening while the server holds it: another
// holder of the socket (the supervisor, whatever handed it over) calls
// shutdown(2) on it, as ss -K would. accept then fails with EINVAL at
// once and for ever.

// waitLogQuiet is waitLog for a server that may flood its standard
// error: it fails as soon as there are more than most lines.
func (s *running) waitLogQuiet(re string, most int) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		l := s.log()
		if n := strings.Count(l, "\n"); n > most {
			s.t.Fatalf("%d lines on stderr, waiting for %q; want at most %d; the first:\n%s", n, re, most, firstLines(l, 5))
		}
		if rx.MatchString(l) {
			return l
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("server's stderr never matched %q:\n%s", re, l)
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	if n > len(lines) {
		n = len(lines)
	}
	return strings.Join(lines[:n], "")
}

// TestListenerShutDown: the server's only listener shut down while it
// serves: one FATAL line naming the descriptor, exit status 1, and no
// spinning before it.
func TestListenerShutDown(t *testing.T) {
	for _, c := range []struct {
		name string
		how  int
	}{{"SHUT_RD", syscall.SHUT_RD}, {"SHUT_RDWR", syscall.SHUT_RDWR}} {
		t.Run(c.name, func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: accept(), files: []*os.File{l}, env: []string{"PROBE_MODE=report"}})
			s.exchange(addr)
			if err := syscall.Shutdown(int(l.Fd()), c.how); err != nil {
				t.Fatal(err)
			}
			want := "tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n"
			s.waitLogQuiet(`FATAL`, 1)
			st := s.waitExit()
			if st.ExitCode() != 1 {
				t.Errorf("ended %v; want exit status 1", st)
			}
			if got := s.log(); got != want {
				t.Errorf("stderr %q; want %q", got, want)
			}
			cpu := st.UserTime() + st.SystemTime()
			t.Logf("the server's CPU time, start to exit: %v", cpu)
			if cpu > 500*time.Millisecond {
				t.Errorf("the server used %v of CPU; want it to exit, not spin", cpu)
			}
		})
	}
}

// TestOneOfTwoListenersShutDown: one of two listeners shut down: one
// ERROR line naming it, no spinning, and the other is served on; once
// that one is shut down too, the FATAL line and exit status 1.
func TestOneOfTwoListenersShutDown(t *testing.T) {
	first, firstAddr := listener(t, "127.0.0.1", -1)
	second, secondAddr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: testkit.AsOwnPid(accept()...), files: []*os.File{first, second},
		env: []string{"PROBE_MODE=report", "LISTEN_FDS=2"}})
	s.exchange(firstAddr)
	s.exchange(secondAddr)
	if err := syscall.Shutdown(int(second.Fd()), syscall.SHUT_RDWR); err != nil {
		t.Fatal(err)
	}
	dropped := "tcp-socket-accept: ERROR: descriptor 4: accept: invalid argument; no longer served\n"
	s.waitLogQuiet(`descriptor 4`, 1)
	before := cpuTicks(t, s.proc.Pid)
	time.Sleep(time.Second)
	used := cpuTicks(t, s.proc.Pid) - before
	t.Logf("the second listener shut down: %d clock ticks of CPU in a second", used)
	if used > 20 {
		t.Errorf("the server used %d clock ticks of CPU in a second; want it idle", used)
	}
	if got := s.log(); got != dropped {
		t.Fatalf("stderr %q; want %q", firstLines(got, 5), dropped)
	}
	for i := 0; i < 3; i++ {
		if line, _ := s.exchange(firstAddr); !strings.HasPrefix(line, "ok ") {
			t.Errorf("a client of the first listener got %q; want it served", line)
		}
	}
	if err := syscall.Shutdown(int(first.Fd()), syscall.SHUT_RDWR); err != nil {
		t.Fatal(err)
	}
	st := s.waitExit()
	if st.ExitCode() != 1 {
		t.Errorf("ended %v; want exit status 1", st)
	}
	<-s.done // the last line may still be on its way through the pipe
	if got, want := s.log(), dropped+"tcp-socket-accept: FATAL: descriptor 3: accept: invalid argument\n"; got != want {
		t.Errorf("stderr %q; want %q", got, want)
	}
}

// TestListenersChecked: the check that the server makes every five
// seconds where the poller misses a listener shut down drops the one
// shut down with an ERROR line, and the last with a FATAL line and
// status 1. It runs in a process of its own (the scenario "watch"),
// Linux's SHUT_RD standing for the other systems' shutdown.
func TestListenersChecked(t *testing.T) {
	cmd := exec.Command(testkit.ProbePath())
	cmd.Env = []string{"ACCEPT_SCENARIO=watch", "PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("%v, want exit status 1: %s", err, out)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := []string{
		"scenario: ERROR: descriptor @A: the socket no longer listens; no longer served",
		"scenario: FATAL: descriptor @B: the socket no longer listens",
	}
	if len(lines) != 3 || lines[0] == "" {
		t.Fatalf("output %q; want the two listeners' descriptors, then %q", out, want)
	}
	want[0] = strings.Replace(want[0], "@A", strings.Fields(lines[0])[0], 1)
	want[1] = strings.Replace(want[1], "@B", strings.Fields(lines[0])[1], 1)
	if lines[1] != want[0] || lines[2] != want[1] {
		t.Errorf("output\n%s\nwant\n%s\n%s", out, want[0], want[1])
	}
}

// listenersChecked is the scenario "watch": two listeners, one shut
// down, checked; then the other shut down, checked.
func listenersChecked() error {
	a, err := loopbackListener()
	if err != nil {
		return err
	}
	b, err := loopbackListener()
	if err != nil {
		return err
	}
	os.Stdout.WriteString(strconv.Itoa(a) + " " + strconv.Itoa(b) + "\n")
	s := &server{listeners: []int{a, b}, live: newLiveListeners(2), log: logger{prog: "scenario"}}
	s.checkListeners()
	syscall.Shutdown(a, syscall.SHUT_RD)
	s.checkListeners()
	s.checkListeners()
	syscall.Shutdown(b, syscall.SHUT_RD)
	s.checkListeners()
	return errors.New("still running after its last listener was shut down")
}

// TestDroppedListenerServesNoMore: a loop of a listener that the check
// has dropped while the loop waited closes the connection it then takes,
// unserved, gives back the slot it held, and ends.
func TestDroppedListenerServesNoMore(t *testing.T) {
	fd, err := loopbackListener()
	if err != nil {
		t.Fatal(err)
	}
	// Closed only once the loop has ended: a loop that still runs would
	// take the close for a listener gone, and end the test binary.
	f := os.NewFile(uintptr(fd), "listener")
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cfg: config{next: []string{"echo", "served"}}, env: []string{"PATH=/usr/bin:/bin"}, path: "/usr/bin:/bin",
		listeners: []int{fd}, live: newLiveListeners(2), kids: newChildren(10, 0), log: logger{prog: "test"}}
	s.live.drop(fd)
	c, err := net.Dial("tcp", testkit.SockaddrText(sa))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	done := make(chan struct{})
	go func() {
		s.acceptFrom(rc, fd)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop of a dropped listener did not end")
	}
	f.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || os.IsTimeout(err) {
		t.Errorf("the client read %d bytes, %v; want the connection closed", n, err)
	}
	s.kids.mu.Lock()
	reserved := s.kids.reserved
	s.kids.mu.Unlock()
	if reserved != 0 {
		t.Errorf("%d slots still held; want none", reserved)
	}
}
