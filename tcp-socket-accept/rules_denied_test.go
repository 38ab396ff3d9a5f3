//go:build linux

package main

import (
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
)

// Clients the -x rules deny: a flood of them, and the rules before -C.

// flood connects clients times from the addresses 127.0.0.2 to
// 127.0.0.241 in turn, inFlight at once, and counts the connections
// that were not closed at once without a word.
func flood(t *testing.T, addr string, clients, inFlight int) int {
	t.Helper()
	var answered int32
	concurrently(clients, inFlight, func(i int) {
		src := net.IPv4(127, 0, 0, byte(2+i%240))
		c, err := (&net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: src}}).Dial("tcp", addr)
		if err != nil {
			atomic.AddInt32(&answered, 1)
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(30 * time.Second))
		if data, err := readAll(c); data != "" || err != nil {
			atomic.AddInt32(&answered, 1)
		}
	})
	return int(atomic.LoadInt32(&answered))
}

// TestDeniedFlood: 3000 clients from 240 addresses that the rules deny,
// 50 at once, against -c 1: each is closed at once, with its refused
// line; the kernel shows no child of the server at any time, none is
// left as a zombie, and the server holds the descriptors it held before.
// No slot of -c is kept: the one client allowed is served after them.
func TestDeniedFlood(t *testing.T) {
	cdb := compileRules(t, t.TempDir(), "rules.cdb", "127.0.0.1:allow\n127.0.0.:deny\n")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v", "-c", "1", "-x", cdb), files: []*os.File{l}})
	// The first client opens what the server keeps: the runtime's
	// poller and the rules file.
	if n := flood(t, addr, 1, 1); n != 0 {
		t.Fatalf("the first denied client was answered; stderr:\n%s", s.log())
	}
	s.waitCount("refused", 1)
	fds := openFDs(t, s.proc.Pid)

	var seen int32
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				if len(machine.ChildPids(s.proc.Pid)) > 0 {
					atomic.AddInt32(&seen, 1)
				}
			}
		}
	}()
	const clients = 3000
	answered := flood(t, addr, clients, 50)
	close(stop)
	<-sampled
	if answered != 0 {
		t.Errorf("%d of %d denied clients were not closed at once", answered, clients)
	}
	log := s.waitCount("refused", clients+1)
	if atomic.LoadInt32(&seen) != 0 || strings.Contains(log, "started") {
		t.Errorf("children seen %d times during the flood; stderr has started lines: %v", atomic.LoadInt32(&seen), strings.Contains(log, "started"))
	}
	if n := strings.Count(log, " rule 127.0.0.:deny\n"); n != clients+1 {
		t.Errorf("%d refused lines by the rule 127.0.0.; want %d", n, clients+1)
	}
	if kids := machine.ChildPids(s.proc.Pid); len(kids) != 0 {
		t.Errorf("children after the flood: %v", kids)
	}
	if after := openFDs(t, s.proc.Pid); after != fds {
		t.Errorf("%d descriptors open after the flood; %d before", after, fds)
	}
	if line, _ := s.exchange(addr); !strings.HasPrefix(line, "ok ") {
		t.Errorf("the allowed client got %q", line)
	}
	s.waitLog(`started 1/1\n`)
	t.Logf("%d denied clients, %d refused lines, server CPU %s ticks", clients, strings.Count(log, "refused"), strconv.Itoa(cpuTicks(t, s.proc.Pid)))
}

// TestRulesBeforePerHostLimit: the rules decide before the -C limit is
// counted: a client at its limit whom the rules now deny is refused by
// the rule, and one they allow again by the limit.
func TestRulesBeforePerHostLimit(t *testing.T) {
	dir := t.TempDir()
	cdb := compileRules(t, dir, "rules.cdb", "127.0.0.1:allow\n")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v", "-C", "1", "-x", cdb), files: []*os.File{l}, env: []string{"PROBE_MODE=hold"}})
	held := dialFrom(t, "127.0.0.1", addr)
	defer held.Close()
	readLine(held)
	compileRules(t, dir, "rules.cdb", "127.0.0.1:deny\n")
	c := dialFrom(t, "127.0.0.1", addr)
	closedAtOnce(t, c)
	c.Close()
	s.waitLog(`refused 127\.0\.0\.1 ` + portOf(c.LocalAddr()) + ` rule 127\.0\.0\.1:deny\n`)
	compileRules(t, dir, "rules.cdb", "127.0.0.1:allow\n")
	c = dialFrom(t, "127.0.0.1", addr)
	closedAtOnce(t, c)
	c.Close()
	log := s.waitLog(`refused 127\.0\.0\.1 ` + portOf(c.LocalAddr()) + ` per-host limit 1\n`)
	if n := strings.Count(log, "refused"); n != 2 {
		t.Errorf("stderr:\n%s\nwant two refused lines", log)
	}
}

// waitCount waits until the server's stderr holds n times sub.
func (s *running) waitCount(sub string, n int) string {
	s.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		log := s.log()
		if strings.Count(log, sub) >= n {
			return log
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%d of %d %q in the server's stderr", strings.Count(log, sub), n, sub)
		}
	}
}
