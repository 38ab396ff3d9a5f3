package main

import (
	"os"
	"syscall"
	"testing"
)

func TestFlagsAndDupOnto(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	// A free number: one past the pipe, checked closed first.
	target := int(w.Fd()) + 10
	if _, err := fdFlags(target); err != syscall.EBADF {
		t.Fatalf("fdFlags(%d) on a closed descriptor: %v; want EBADF", target, err)
	}
	for _, cloexec := range []bool{true, false} {
		if err := dupOnto(int(r.Fd()), target, cloexec); err != nil {
			t.Fatal(err)
		}
		flags, err := fdFlags(target)
		if err != nil || (flags&syscall.FD_CLOEXEC != 0) != cloexec {
			t.Errorf("dupOnto close-on-exec %v: flags %#x, %v", cloexec, flags, err)
		}
	}
	syscall.CloseOnExec(target)
	if err := keepOnExec(target); err != nil {
		t.Fatal(err)
	}
	if flags, _ := fdFlags(target); flags&syscall.FD_CLOEXEC != 0 {
		t.Errorf("keepOnExec left FD_CLOEXEC")
	}
	syscall.Close(target)
	if flags, err := statusFlags(int(w.Fd())); err != nil || flags&syscall.O_ACCMODE != syscall.O_WRONLY {
		t.Errorf("statusFlags of a pipe's write end: %#x, %v", flags, err)
	}
}

func TestReadFile(t *testing.T) {
	path := t.TempDir() + "/f"
	want := make([]byte, 10000) // more than the first buffer
	for i := range want {
		want[i] = byte(i)
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := readFile(path)
	if err != nil || string(got) != string(want) {
		t.Errorf("readFile: %d bytes, %v; want %d", len(got), err, len(want))
	}
	if _, err := readFile(path + "-missing"); err != syscall.ENOENT {
		t.Errorf("readFile of a missing file: %v", err)
	}
}
