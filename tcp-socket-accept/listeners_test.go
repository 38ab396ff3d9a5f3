//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// TestSystemdListeners chains two and three tcp-socket-listen with
// --systemd-compatibility into one server, which serves them all.
func TestSystemdListeners(t *testing.T) {
	for _, hosts := range [][]string{{"127.0.0.1", "::1"}, {"127.0.0.1", "::1", "127.0.0.2"}} {
		t.Run(strings.Join(hosts, " "), func(t *testing.T) {
			var argv, addrs []string
			for _, h := range hosts {
				port := testkit.FreePortOn(t, h)
				argv = append(argv, tslBinary, "--systemd-compatibility", h, port)
				addrs = append(addrs, net.JoinHostPort(h, port))
			}
			s := start(t, serverSpec{argv: append(argv, accept()...), env: []string{"PROBE_MODE=report"}})
			for i, addr := range addrs {
				line, port := s.exchange(addr)
				if !strings.HasPrefix(line, "ok ") {
					t.Errorf("%s: %q", addr, line)
				}
				r := s.readReport(port)
				host, lport, _ := net.SplitHostPort(addr)
				remote := host
				if i != 1 {
					remote = "127.0.0.1" // Linux's source address for all of 127/8
				}
				checkChild(t, r, host, lport, remote, port)
				for _, name := range []string{"LISTEN_FDS", "LISTEN_PID"} {
					if v, ok := testkit.GetenvIn(r.Raw, name); ok {
						t.Errorf("listener %d: the child has %s=%s; want it removed", i, name, v)
					}
				}
			}
		})
	}
}

// TestListenersServedFairly: while one listener has a long queue, a
// client of the other is served first or second, not after the queue.
func TestListenersServedFairly(t *testing.T) {
	busy, busyAddr := listener(t, "127.0.0.1", -1)
	quiet, quietAddr := listener(t, "::1", -1)
	s := start(t, serverSpec{argv: testkit.AsOwnPid(accept("-v", "-c", "1")...), files: []*os.File{busy, quiet},
		env: []string{"PROBE_MODE=hold", "LISTEN_FDS=2"}})
	first := dial(t, busyAddr)
	if _, err := bufio.NewReader(first).ReadString('\n'); err != nil {
		t.Fatalf("first client: %v; stderr:\n%s", err, s.log())
	}
	const queued = 5
	order := make(chan string, queued+1)
	var wg sync.WaitGroup
	client := func(name, addr string) {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
				order <- name
			}
		}()
	}
	for i := 0; i < queued; i++ {
		client("busy", busyAddr)
	}
	client("quiet", quietAddr)
	time.Sleep(100 * time.Millisecond) // all in the backlogs
	first.Close()
	wg.Wait()
	close(order)
	var got []string
	for name := range order {
		got = append(got, name)
	}
	if len(got) != queued+1 {
		t.Fatalf("served %q; want all %d; stderr:\n%s", got, queued+1, s.log())
	}
	if got[0] != "quiet" && got[1] != "quiet" {
		t.Errorf("served in the order %q; want the quiet listener's client first or second", got)
	}
}

// TestInheritedDescriptorsPass: a descriptor the server inherited that is
// not a listener reaches every child as it was; the listener does not.
func TestInheritedDescriptorsPass(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	f, err := os.Create(filepath.Join(t.TempDir(), "inherited"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := start(t, serverSpec{argv: accept(), files: []*os.File{l, nil, f}, env: []string{"PROBE_MODE=report"}})
	_, port := s.exchange(addr)
	r := s.readReport(port)
	if got := r.FDs[5]; got.Link != f.Name() {
		t.Errorf("descriptor 5 in the child: %+v; want %s", got, f.Name())
	}
	for _, fd := range []int{3, 4} {
		if got, ok := r.FDs[fd]; ok {
			t.Errorf("descriptor %d in the child: %+v; want it closed", fd, got)
		}
	}
}
