//go:build linux

package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The reaper's tests run the server's own code in a process of its own:
// this test binary again, with ACCEPT_SCENARIO naming the scenario. Its
// reaper then waits for its own children only, and the scenario can hold
// the children's lock, or keep a fork in progress, while a child ends,
// which no test of the built server can.

var scenarios = map[string]func() error{
	"recorded": recordedChildKept,
	"forking":  unrecordedChildKept,
	"watch":    listenersChecked,
}

func runScenario(name string) int {
	f, ok := scenarios[name]
	if !ok {
		os.Stderr.WriteString("no scenario " + name + "\n")
		return 2
	}
	if err := f(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// runScenarioTest runs the scenario name in a process of its own.
func runScenarioTest(t *testing.T, name string) {
	t.Helper()
	cmd := exec.Command(testkit.ProbePath())
	cmd.Env = []string{"ACCEPT_SCENARIO=" + name, "PATH=" + os.Getenv("PATH")}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%v: %s", err, out)
	}
}

// TestChildCollectedUnderTheLock: a recorded child that ends while the
// children's lock is held elsewhere (by the signal handler, say) stays a
// zombie, its pid taken, until the reaper holds the lock: a pid in the
// table never names a process that has since been given it.
func TestChildCollectedUnderTheLock(t *testing.T) { runScenarioTest(t, "recorded") }

// TestUnrecordedChildKeptWhileForking: a child the table does not know
// of that ends while a fork is in progress stays a zombie until that fork
// has ended, so that the fork cannot be given its pid, and is collected
// then. (With its pid free, the fork's child, given it, could be taken
// for the child that ended, and forgotten while it runs.)
func TestUnrecordedChildKeptWhileForking(t *testing.T) { runScenarioTest(t, "forking") }

// scenarioServer is a server of next, its reaper running.
func scenarioServer(next ...string) *server {
	s := &server{cfg: config{next: next}, env: []string{"PATH=/usr/bin:/bin"}, kids: newChildren(10, 0), log: logger{prog: "scenario"}}
	go s.reap()
	return s
}

// startKept starts a child through take, which runs until the client
// closes, and returns its pid and client once the reaper waits for it in
// the kernel.
func startKept(s *server) (int, net.Conn, error) {
	fd, sa, client, err := loopbackConnection()
	if err != nil {
		return 0, nil, err
	}
	s.kids.reserve()
	s.take(fd, sa)
	s.kids.mu.Lock()
	var pids []int
	for pid := range s.kids.byPid {
		pids = append(pids, pid)
	}
	s.kids.mu.Unlock()
	if len(pids) != 1 {
		return 0, nil, errors.New("children recorded: " + strconv.Itoa(len(pids)) + "; want 1")
	}
	for deadline := time.Now().Add(5 * time.Second); !reaperWaiting(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return 0, nil, errors.New("the reaper never waited for a child")
		}
	}
	return pids[0], client, nil
}

// reaperWaiting tells whether a thread of this process is blocked in
// wait4 or waitid, as /proc shows each thread's system call.
func reaperWaiting() bool {
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		data, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/syscall")
		if f := strings.Fields(string(data)); len(f) > 0 {
			if n, err := strconv.Atoi(f[0]); err == nil && (n == syscall.SYS_WAIT4 || n == syscall.SYS_WAITID) {
				return true
			}
		}
	}
	return false
}

// recordedChildKept: a child started by handle ends while the scenario
// holds the lock.
func recordedChildKept() error {
	s := scenarioServer("/bin/sh", "-c", "read line")
	pid, client, err := startKept(s)
	if err != nil {
		return err
	}
	s.kids.mu.Lock()
	client.Close() // the child reads its end of file and exits
	err = staysZombie(pid)
	s.kids.mu.Unlock()
	if err != nil {
		return err
	}
	if err := collected(pid); err != nil {
		return err
	}
	s.kids.mu.Lock()
	defer s.kids.mu.Unlock()
	if len(s.kids.byPid) != 0 {
		return errors.New("the child is still recorded after it was collected")
	}
	return nil
}

// unrecordedChildKept: a child the table does not know of ends while a
// fork is in progress. A child started by handle keeps the reaper
// waiting for children meanwhile.
func unrecordedChildKept() error {
	s := scenarioServer("/bin/sh", "-c", "read line")
	_, client, err := startKept(s)
	if err != nil {
		return err
	}
	defer client.Close()
	k := s.kids
	k.mu.Lock()
	n := k.forkBegun()
	k.mu.Unlock()
	pid, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{})
	if err != nil {
		return err
	}
	err = staysZombie(pid)
	k.mu.Lock()
	k.forkDone(n)
	k.mu.Unlock()
	if err != nil {
		return err
	}
	return collected(pid)
}

// loopbackConnection is an accepted connection, as the accept loop gets
// it, and its client.
func loopbackConnection() (int, syscall.Sockaddr, net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, nil, nil, err
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return 0, nil, nil, err
	}
	conn, err := ln.Accept()
	if err != nil {
		return 0, nil, nil, err
	}
	defer conn.Close()
	f, err := conn.(*net.TCPConn).File()
	if err != nil {
		return 0, nil, nil, err
	}
	fd, err := syscall.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return 0, nil, nil, err
	}
	sa, err := syscall.Getpeername(fd)
	return fd, sa, client, err
}

// procState is pid's state as /proc shows it (Z for a zombie), or "" if
// there is no such process: it has been collected.
func procState(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// staysZombie waits for pid to end, then checks that it stays a zombie
// for 300 ms, in which a reaper free to collect it would have.
func staysZombie(pid int) error {
	for deadline := time.Now().Add(5 * time.Second); procState(pid) != "Z"; time.Sleep(time.Millisecond) {
		if procState(pid) == "" {
			return errors.New("child " + strconv.Itoa(pid) + " collected, its pid freed, before the reaper could know whose it was")
		}
		if time.Now().After(deadline) {
			return errors.New("child " + strconv.Itoa(pid) + " did not end")
		}
	}
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if procState(pid) != "Z" {
			return errors.New("child " + strconv.Itoa(pid) + " collected, its pid freed, before the reaper could know whose it was")
		}
	}
	return nil
}

// collected waits for pid to be collected.
func collected(pid int) error {
	for deadline := time.Now().Add(5 * time.Second); procState(pid) != ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return errors.New("child " + strconv.Itoa(pid) + " never collected")
		}
	}
	return nil
}
