//go:build linux

package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// served connects and returns all the child wrote before closing.
func served(t *testing.T, addr string) string {
	t.Helper()
	c := dial(t, addr)
	defer c.Close()
	data, _ := io.ReadAll(c)
	return string(data)
}

// TestNextProgSearchedPerConnection: a missing next-prog is one ERROR
// line per connection, which is closed; once installed, it is found.
func TestNextProgSearchedPerConnection(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	// A directory and a file without execute permission come first on
	// PATH: execvp passes over them, and reports EACCES only if nothing
	// later will do.
	os.MkdirAll(filepath.Join(dir, "first", "late-prog"), 0o755)
	os.Mkdir(filepath.Join(dir, "second"), 0o755)
	os.WriteFile(filepath.Join(dir, "second", "late-prog"), []byte("#!/bin/sh\necho wrong\n"), 0o644)
	l, addr := listener(t, "127.0.0.1", -1)
	path := filepath.Join(dir, "missing") + "::" + filepath.Join(dir, "first") + ":" + filepath.Join(dir, "second") + ":" + bin
	s := start(t, serverSpec{argv: []string{tsaBinary, "late-prog", "arg"}, files: []*os.File{l}, noPath: true, env: []string{"PATH=" + path}})

	if got := served(t, addr); got != "" {
		t.Errorf("before installing, the client got %q; want the connection closed", got)
	}
	s.waitLog(`^tcp-socket-accept: ERROR: late-prog: permission denied\n$`)
	prog := filepath.Join(bin, "late-prog")
	if err := os.WriteFile(prog+".tmp", []byte("#!/bin/sh\necho installed \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Rename(prog+".tmp", prog)
	if got := served(t, addr); got != "installed arg\n" {
		t.Errorf("after installing, the client got %q; stderr:\n%s", got, s.log())
	}
	os.Remove(prog)
	os.Remove(filepath.Join(dir, "second", "late-prog"))
	os.Remove(filepath.Join(dir, "first", "late-prog"))
	if got := served(t, addr); got != "" {
		t.Errorf("after removing, the client got %q; want the connection closed", got)
	}
	s.waitLog(`late-prog: no such file or directory\n$`)
	if strings.Count(s.log(), "\n") != 2 {
		t.Errorf("stderr:\n%s\nwant two ERROR lines", s.log())
	}
}

// TestNextProgErrors: each way exec can fail is one ERROR line naming
// next-prog, and the server serves on. The server searches a PATH of the
// test's own: the caller's may hold a directory the caller cannot search,
// where execvp(3) rightly says "permission denied" for a missing name.
func TestNextProgErrors(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644)
	badFormat := filepath.Join(dir, "badformat")
	os.WriteFile(badFormat, []byte("not a program\n"), 0o755)
	cases := []struct{ prog, want string }{
		{"/nonexistent/prog", "/nonexistent/prog: no such file or directory"},
		{noexec, noexec + ": permission denied"},
		{badFormat, badFormat + ": exec format error"},
		{dir, dir + ": permission denied"},
		{noexec + "/prog", noexec + "/prog: not a directory"}, // as exec says, though stat found it
		{"no such prog", `"no such prog": no such file or directory`},
	}
	for _, c := range cases {
		t.Run(c.prog, func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: []string{tsaBinary, c.prog}, files: []*os.File{l}, path: dir})
			for i := 0; i < 2; i++ {
				if got := served(t, addr); got != "" {
					t.Errorf("client got %q; want the connection closed", got)
				}
			}
			log := s.waitLog(`(?s)ERROR.*ERROR`)
			want := "tcp-socket-accept: ERROR: " + c.want + "\n"
			if log != want+want {
				t.Errorf("stderr %q; want twice %q", log, want)
			}
			if !s.alive() {
				t.Error("the server ended")
			}
		})
	}
}

// TestResetClient: a client that resets its connection while it waits
// in the backlog costs the server nothing: it serves the next one.
func TestResetClient(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{tsaBinary, "-v", "-c", "1", "/bin/sh", "-c", "echo hello; cat >/dev/null"}, files: []*os.File{l}})
	holder := dial(t, addr)
	if line, err := readLine(holder); line != "hello\n" {
		t.Fatalf("first client: %q, %v", line, err)
	}
	for i := 0; i < 5; i++ {
		c := dial(t, addr)
		c.(*net.TCPConn).SetLinger(0)
		c.Close() // RST, before the server accepts
	}
	holder.Close()
	c := dial(t, addr)
	defer c.Close()
	if line, err := readLine(c); line != "hello\n" {
		t.Errorf("after the resets, a client got %q, %v; stderr:\n%s", line, err, s.log())
	}
	if !s.alive() {
		t.Error("the server ended")
	}
}

func readLine(c net.Conn) (string, error) {
	var b [1]byte
	var line []byte
	for {
		if _, err := c.Read(b[:]); err != nil {
			return string(line), err
		}
		line = append(line, b[0])
		if b[0] == '\n' {
			return string(line), nil
		}
	}
}
