//go:build linux

package main

import (
	"bytes"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
)

// TestNoChildOutlivesTheServer: under continuous connections, each to a
// child that sleeps for a minute, SIGABRT (SIGKILL to every child) and
// SIGQUIT (SIGTERM and SIGCONT) end the server and every child it started:
// none is left running, reparented, in 20 runs each. A fork in progress
// when the signal comes, or begun after, would leave its child running.
func TestNoChildOutlivesTheServer(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGABRT, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			for run := 0; run < 20; run++ {
				if left := endUnderLoad(t, sig); len(left) > 0 {
					t.Fatalf("run %d: children left running after the server ended: %s", run, strings.Join(left, ", "))
				}
			}
		})
	}
}

// clients is how many clients connect to the server at once, each again
// as soon as it has connected.
const clients = 8

// manyChildren is how many children the server runs, at least, when it
// is signalled: the load is on by then.
const manyChildren = 20

// endUnderLoad starts a server of sleeps, connects to it without a break
// from clients clients, sends it sig once it runs manyChildren or more, and
// returns the server's children that outlive it.
func endUnderLoad(t *testing.T, sig syscall.Signal) []string {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-c", "10000", "sleep", "60"}, files: []*os.File{l}})
	stop := hammer(addr, clients, nil)
	t.Cleanup(stop)
	for deadline := time.Now().Add(10 * time.Second); len(machine.ChildPids(s.proc.Pid)) < manyChildren; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d children after 10 s; stderr:\n%s", manyChildren, s.log())
		}
	}
	time.Sleep(time.Duration(rand.Intn(20)) * time.Millisecond)
	s.proc.Signal(sig)
	st := s.waitExit()
	l.Close() // the clients are refused at once
	stop()
	if st.ExitCode() != 0 {
		t.Errorf("the server ended %v; want exit status 0", st)
	}
	// SIGTERM and SIGKILL take a moment; a child that was not sent
	// either sleeps on.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if len(childrenOf(s.dir, false)) == 0 {
			break
		}
	}
	return childrenOf(s.dir, true)
}

// childrenOf lists the processes, not zombies, that a server given
// PROBE_DIR=dir started (which all have it in their environment): pid,
// parent and command line; with kill, it kills them.
func childrenOf(dir string, kill bool) []string {
	mark := []byte("PROBE_DIR=" + dir + "\x00")
	var found []string
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + p.Name() + "/environ")
		if err != nil || !bytes.Contains(env, mark) {
			continue
		}
		stat, err := os.ReadFile("/proc/" + p.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		found = append(found, p.Name()+" (parent "+f[1]+", "+strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))+")")
		if kill {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	return found
}
