//go:build linux

package diag

import (
	"os"
	"syscall"
	"testing"
	"time"
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
	Error("prog", "accept: too many open files")
	syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	buf := make([]byte, 100)
	n, _ := r.Read(buf)
	if got, want := string(buf[:n]), "prog: ERROR: accept: too many open files\n"; got != want {
		t.Errorf("wrote %q; want %q", got, want)
	}
}

// TestWriteWaitsForFullStderr: a non-blocking standard error that is
// full when the line comes is waited for, and the line arrives whole.
func TestWriteWaitsForFullStderr(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	wfd := int(w.Fd())
	if err := syscall.SetNonblock(wfd, true); err != nil {
		t.Fatal(err)
	}
	filler := make([]byte, 4096)
	for i := range filler {
		filler[i] = 'x'
	}
	filled := 0
	for {
		n, err := syscall.Write(wfd, filler)
		if err != nil {
			break
		}
		filled += n
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup3(wfd, 2, 0); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		time.Sleep(50 * time.Millisecond)
		buf := make([]byte, filled+100)
		n := 0
		for n < filled+len("prog: ERROR: late\n") {
			m, err := r.Read(buf[n:])
			if err != nil {
				break
			}
			n += m
		}
		got <- buf[:n]
	}()
	Error("prog", "late")
	syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	b := <-got
	if tail := string(b[filled:]); tail != "prog: ERROR: late\n" {
		t.Errorf("after %d bytes of filler, read %q; want the line whole", filled, tail)
	}
}
