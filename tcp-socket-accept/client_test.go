//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// readReport reads what the probe serving the client at clientPort
// wrote, and takes it away (see readReportWithin).
func (s *running) readReport(clientPort string) *testkit.Report {
	s.t.Helper()
	return s.readReportWithin(clientPort, 10*time.Second)
}

// readReportWithin is readReport, waiting up to d.
func (s *running) readReportWithin(clientPort string, d time.Duration) *testkit.Report {
	s.t.Helper()
	name := filepath.Join(s.dir, clientPort+".gob")
	var err error
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if _, err = os.Stat(name); err == nil { // written whole, then renamed
			// Taken away once read: clients from other addresses
			// may be given the same port, and must not find it.
			r := testkit.ReadReport(s.t, name)
			os.Remove(name)
			return r
		}
	}
	s.t.Fatalf("no report from the probe for client port %s: %v; stderr:\n%s", clientPort, err, s.log())
	return nil
}

// dial connects to addr, retrying while the server is starting.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	return dialWith(t, &net.Dialer{Timeout: 5 * time.Second}, addr)
}

func dialWith(t *testing.T, d *net.Dialer, addr string) net.Conn {
	t.Helper()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var c net.Conn
		if c, err = d.Dial("tcp", addr); err == nil {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			return c
		}
	}
	t.Fatalf("connecting to %s: %v", addr, err)
	return nil
}

// exchange connects to addr, reads the probe's answer line, closes, and
// returns the line and the client's port.
func (s *running) exchange(addr string) (string, string) {
	s.t.Helper()
	c := dial(s.t, addr)
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		s.t.Fatalf("reading from %s: %v; server's stderr:\n%s", addr, err, s.log())
	}
	return line, portOf(c.LocalAddr())
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// readAll reads what the server's child writes until it closes.
func readAll(c net.Conn) (string, error) {
	data, err := io.ReadAll(c)
	return string(data), err
}

// accept is a command line: tcp-socket-accept with args, then the probe.
func accept(args ...string) []string {
	return append(append([]string{tsaBinary}, args...), testkit.ProbePath())
}

// hammer connects to addr from n clients at once, each again as soon as
// it is done with its connection (which use, if not nil, reads from), until
// the stop it returns is called, which returns once they have all stopped
// (and may be called again).
func hammer(addr string, n int, use func(net.Conn)) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
					if use != nil {
						use(c)
					}
					c.Close()
				}
			}
		}()
	}
	var once sync.Once
	return func() {
		once.Do(func() { close(done) })
		wg.Wait()
	}
}
