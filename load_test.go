//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// TestManyClientsBeforeAccept connects several hundred clients on
// loopback before next-prog starts accepting; the backlog holds them.
func TestManyClientsBeforeAccept(t *testing.T) {
	const clients = 400
	port := testkit.FreePort(t)
	goFile := filepath.Join(t.TempDir(), "go")
	out := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command(tslBinary, "-b", "512", "127.0.0.1", port, testkit.ProbePath())
	cmd.Env = []string{"PROBE_OUT=" + out, "PROBE_SERVE=" + strconv.Itoa(clients), "PROBE_GO=" + goFile}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	conns := make([]net.Conn, 0, clients)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for len(conns) < clients {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 5*time.Second)
		if err != nil {
			if len(conns) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond) // not listening yet
				continue
			}
			t.Fatalf("client %d: %v", len(conns), err)
		}
		if _, err := fmt.Fprintf(c, "client %d\n", len(conns)); err != nil {
			t.Fatalf("client %d: %v", len(conns), err)
		}
		conns = append(conns, c)
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		c.SetDeadline(time.Now().Add(30 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if want := fmt.Sprintf("ok client %d\n", i); err != nil || line != want {
			t.Fatalf("client %d got %q, %v; want %q", i, line, err, want)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("probe: %v; %s", err, stderr.String())
	}
	if r := testkit.ReadReport(t, out); r.Served != clients {
		t.Errorf("the probe served %d; want %d", r.Served, clients)
	}
}
