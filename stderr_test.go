//go:build linux

package main

import (
	"os"
	"syscall"
	"testing"
	"time"
)

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
	writeStderr("prog: ERROR: late\n")
	syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	b := <-got
	if tail := string(b[filled:]); tail != "prog: ERROR: late\n" {
		t.Errorf("after %d bytes of filler, read %q; want the line whole", filled, tail)
	}
}
