//go:build linux

package main

import (
	"os"
	"syscall"
	"testing"
)

// TestError: one line on descriptor 2, "PROG: ERROR: msg", in one write.
func TestError(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup3(int(w.Fd()), 2, 0); err != nil {
		t.Fatal(err)
	}
	logger{prog: "prog"}.error("accept: too many open files")
	syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	buf := make([]byte, 100)
	n, _ := r.Read(buf)
	if got, want := string(buf[:n]), "prog: ERROR: accept: too many open files\n"; got != want {
		t.Errorf("wrote %q; want %q", got, want)
	}
}
