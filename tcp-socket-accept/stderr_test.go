//go:build linux

package main

import (
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestBrokenStderr: with -v and a standard error whose reader has gone,
// or none at all, the server goes on serving.
func TestBrokenStderr(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer pw.Close()
	t.Run("broken", func(t *testing.T) { serveWithStderr(t, serverSpec{stderr: pw}) })
	t.Run("closed", func(t *testing.T) { serveWithStderr(t, serverSpec{noStderr: true}) })
}

func serveWithStderr(t *testing.T, spec serverSpec) {
	l, addr := listener(t, "127.0.0.1", -1)
	spec.argv = []string{tsaBinary, "-v", "-c", "1", "/bin/sh", "-c", "echo served; echo to stderr >&2"}
	spec.files = []*os.File{l}
	s := start(t, spec)
	for i := 0; i < 5; i++ {
		c := dial(t, addr)
		data, _ := io.ReadAll(c)
		c.Close()
		if string(data) != "served\n" {
			t.Fatalf("client %d got %q; want it served", i, data)
		}
	}
	time.Sleep(100 * time.Millisecond)
	if !s.alive() {
		t.Errorf("the server died writing to a broken stderr: %v", s.waitExit())
	}
}

// TestFatalBrokenStderr: a usage error with a standard error whose reader
// has gone still ends with status 1, not death by SIGPIPE.
func TestFatalBrokenStderr(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer pw.Close()
	s := start(t, serverSpec{argv: []string{tsaBinary, "-c", "0", "cat"}, stderr: pw})
	if st := s.waitExit(); st.ExitCode() != 1 {
		t.Errorf("ended %v; want exit status 1", st)
	}
}

// TestSignalsPastBlockedStderr: with -v under load and a standard error
// that blocks, a pipe that nobody reads, full, the server's lines stop;
// yet SIGHUP is handled, and a SIGTERM after it ends the server: no
// signal waits for a line to be written. (A loop blocked writing its
// line while it held the children's lock would hold up SIGHUP, and the
// SIGTERM behind it, for ever.)
func TestSignalsPastBlockedStderr(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close() // never read
	defer pw.Close()
	// One page fills after a few dozen connections.
	if _, _, errno := syscall.Syscall(syscall.SYS_FCNTL, pw.Fd(), syscall.F_SETPIPE_SZ, 4096); errno != 0 {
		t.Fatalf("fcntl F_SETPIPE_SZ: %v", errno)
	}
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v"), files: []*os.File{l}, stderr: pw, env: []string{"PROBE_MODE=report"}})
	defer hammer(addr, 4, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(100 * time.Millisecond))
		io.ReadAll(c)
	})()
	for deadline := time.Now().Add(10 * time.Second); pipeHolds(t, pr) < 4096-200; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server's stderr holds %d bytes after 10 s; want it full", pipeHolds(t, pr))
		}
	}
	time.Sleep(100 * time.Millisecond) // a loop and the reaper are blocked writing
	s.proc.Signal(syscall.SIGHUP)
	time.Sleep(50 * time.Millisecond) // SIGHUP first
	s.proc.Signal(syscall.SIGTERM)
	select {
	case st := <-s.exited:
		s.exited <- st
		if st.ExitCode() != 0 {
			t.Errorf("the server ended %v; want exit status 0", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not end on SIGTERM within 5 s of SIGHUP, with its standard error blocked")
	}
}

// pipeHolds is how many bytes the pipe r holds, unread.
func pipeHolds(t *testing.T, r *os.File) int {
	t.Helper()
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, r.Fd(), syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); errno != 0 {
		t.Fatalf("ioctl FIONREAD: %v", errno)
	}
	return int(n)
}
