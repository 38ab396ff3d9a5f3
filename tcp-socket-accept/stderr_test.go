//go:build linux

package main

import (
	"io"
	"os"
	"testing"
	"time"
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
