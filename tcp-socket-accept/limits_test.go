//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
	"tcp-socket-listen/internal/testkit"
)

// load runs clients clients, at most inFlight at once, each reading the
// probe's "ok N" line, holding the connection for hold, then closing. It
// returns the answers' N: the server's children as each child started.
func load(t *testing.T, addr string, clients, inFlight int, hold time.Duration) []int {
	t.Helper()
	var mu sync.Mutex
	var counts []int
	var failures []string
	concurrently(clients, inFlight, func(int) {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			mu.Lock()
			failures = append(failures, err.Error())
			mu.Unlock()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(60 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		n, convErr := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "ok ")))
		mu.Lock()
		defer mu.Unlock()
		if err != nil || convErr != nil {
			failures = append(failures, "answer "+strconv.Quote(line))
			return
		}
		counts = append(counts, n)
		time.Sleep(hold)
	})
	if len(failures) > 0 {
		t.Fatalf("%d of %d clients failed, the first: %s", len(failures), clients, failures[0])
	}
	return counts
}

// concurrently runs each(i) for i from 0 to n-1, at most inFlight at
// once, and returns when all have.
func concurrently(n, inFlight int, each func(i int)) {
	sem := make(chan struct{}, inFlight)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) { // i passed, as before Go 1.22 the loop has one
			defer wg.Done()
			defer func() { <-sem }()
			each(i)
		}(i)
	}
	wg.Wait()
}

var startedLine = regexp.MustCompile(`(?m)^tcp-socket-accept: (\d+) started (\d+)/(\d+)$`)
var startedAddr = regexp.MustCompile(`(?m)^tcp-socket-accept: \d+ (\S+) (\d+) \S+ \d+$`)
var endedLine = regexp.MustCompile(`(?m)^tcp-socket-accept: (\d+) ended status (\d) code (-?\d+) (\d+)/(\d+)$`)

// TestConnectionLimit: under 200 clients, the children alive at once, as
// the kernel counts the server's children (zombies included) when each
// child starts, reach the limit and never pass it.
func TestConnectionLimit(t *testing.T) {
	for _, limit := range []int{1, 5} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: accept("-v", "-c", strconv.Itoa(limit)), files: []*os.File{l}, env: []string{"PROBE_MODE=hold"}})
			counts := load(t, addr, 200, 50, 2*time.Millisecond)
			most := 0
			for _, n := range counts {
				if n > most {
					most = n
				}
			}
			if most != limit {
				t.Errorf("at most %d children at once; want the limit, %d", most, limit)
			}
			log := s.waitLog(`(?s)(ended.*){200}`)
			for _, m := range startedLine.FindAllStringSubmatch(log, -1) {
				if n, _ := strconv.Atoi(m[2]); n > limit || m[3] != strconv.Itoa(limit) {
					t.Errorf("log line %q: over the limit %d", m[0], limit)
				}
			}
		})
	}
}

// TestNoZombiesAfterLoad: after 300 connections, 40 in flight, every
// child has been reaped, each with its own ended line, and the server
// holds no more descriptors than before.
func TestNoZombiesAfterLoad(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v"), files: []*os.File{l}, env: []string{"PROBE_MODE=report"}})
	s.exchange(addr) // the runtime's poller is open from here on
	s.waitLog(`ended`)
	fds := openFDs(t, s.proc.Pid)
	load(t, addr, 299, 40, 0)
	log := s.waitLog(`(?s)(ended.*){300}`)
	started := startedLine.FindAllStringSubmatch(log, -1)
	ended := endedLine.FindAllStringSubmatch(log, -1)
	if len(started) != 300 || len(ended) != 300 {
		t.Errorf("%d started and %d ended lines; want 300 each", len(started), len(ended))
	}
	for _, m := range ended {
		if m[2] != "1" || m[3] != "0" {
			t.Errorf("%q; want status 1 code 0", m[0])
		}
	}
	if kids := machine.ChildPids(s.proc.Pid); len(kids) != 0 {
		t.Errorf("children left after the load: %v", kids)
	}
	if after := openFDs(t, s.proc.Pid); after != fds {
		t.Errorf("%d descriptors open after the load; %d before", after, fds)
	}
}

// threads is the server's thread count, from /proc.
func threads(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	n := threadsIn(string(data))
	if n < 0 {
		t.Fatal("no Threads line")
	}
	return n
}

// threadsIn is the Threads line of a /proc/PID/status, or -1.
func threadsIn(status string) int {
	for _, line := range strings.Split(status, "\n") {
		if v, ok := testkit.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return -1
}

// TestThreadsAtTheLimit: the server starts, before it serves, the
// threads it can need (readyThreads), readiedThreads with its two Ps
// and one listener, or one or two more (readyThreads approaches
// the count, and the runtime may start one of its own meanwhile: 1 run in
// 8 or so, two 1 run in 20);
// and with 40 connections in flight, at the default limit, and more
// clients waiting, it has started no other. The children are cat, which
// holds its connection until the client closes it and, unlike the Go
// probe, leaves the CPU to the server.
func TestThreadsAtTheLimit(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "cat"}, files: []*os.File{l}})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	first := dial(t, addr)
	conns = append(conns, first)
	s.waitLog(`started 1/40`)
	ready := threads(t, s.proc.Pid)
	most := readiedThreads(false) + 2
	if ready > most {
		t.Errorf("%d threads when it first served; want at most %d (%s build)", ready, most, testkit.Toolchain(tsaBinary))
	}
	for i := 0; i < 50; i++ {
		conns = append(conns, dial(t, addr))
	}
	s.waitLog(`started 40/40`)
	if n := threads(t, s.proc.Pid); n > ready {
		t.Errorf("%d threads at 40 connections; %d when it first served: the runtime started more (%s build)", n, ready, testkit.Toolchain(tsaBinary))
	}
	if n := len(machine.ChildPids(s.proc.Pid)); n != 40 {
		t.Errorf("%d children; want 40", n)
	}
	t.Logf("threads: %d when first served, %d at 40 in flight", ready, threads(t, s.proc.Pid))
}

// TestPerHostLimit: -C 2 serves two connections from 127.0.0.1 at once,
// telling each in TCPCONNNUM how many from its address were there before
// it, as s6-tcpserverd does (the first gets 0), and closes a third at
// once; another address is counted apart.
func TestPerHostLimit(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v", "-C", "2"), files: []*os.File{l}, env: []string{"PROBE_MODE=hold", "TCPCONNNUM=stale"}})
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	connNum := func(c net.Conn) string {
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
			t.Fatalf("reading: %v; stderr:\n%s", err, s.log())
		}
		v, _ := testkit.GetenvIn(s.readReport(portOf(c.LocalAddr())).Raw, "TCPCONNNUM")
		return v
	}
	for _, want := range []string{"0", "1"} {
		c := dial(t, addr)
		held = append(held, c)
		if got := connNum(c); got != want {
			t.Errorf("TCPCONNNUM=%q; want %s", got, want)
		}
	}
	third := dial(t, addr)
	if data, err := readAll(third); data != "" || err != nil {
		t.Errorf("third client from 127.0.0.1 got %q, %v; want the connection closed", data, err)
	}
	third.Close()
	s.waitLog(`refused 127\.0\.0\.1 \d+ per-host limit 2`)
	other := dialWith(t, &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}, addr)
	held = append(held, other)
	if got := connNum(other); got != "0" {
		t.Errorf("TCPCONNNUM=%q for 127.0.0.2; want 0", got)
	}
	// One of the first two ends: 127.0.0.1 may connect again.
	held[0].Close()
	s.waitLog(`ended status 1 code 0 2/40`)
	again := dial(t, addr)
	held = append(held, again)
	if got := connNum(again); got != "1" {
		t.Errorf("TCPCONNNUM=%q after one ended; want 1", got)
	}
}
