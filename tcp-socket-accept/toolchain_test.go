//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// What differs between the builds of the toolchains that build this
// command (the manual, BUILDS), pinned.

// TestChildNofile: a child gets the soft RLIMIT_NOFILE the server was
// given. gc's runtime raises the server's own to the hard limit (or one
// below it) and gives
// the caller's back to each child from Go 1.21 on; gccgo's leaves it
// alone; Go 1.19 and 1.20 raise it and never give it back, so their
// children get the hard limit.
func TestChildNofile(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{"/bin/sh", "-c", `ulimit -Sn 64 && exec "$@"`, "sh", tsaBinary, "/bin/sh", "-c", "ulimit -Sn"}
	start(t, serverSpec{argv: argv, files: []*os.File{l}})
	c := dial(t, addr)
	defer c.Close()
	got, err := readAll(c)
	tool := testkit.Toolchain(tsaBinary)
	want := "64"
	if !tool.RestoresNofile() {
		var lim syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		want = strconv.FormatUint(lim.Max, 10)
	}
	if err != nil || strings.TrimSpace(got) != want {
		t.Errorf("the child's soft RLIMIT_NOFILE %q, %v; want %s (%s build)", got, err, want, tool)
	}
}

// TestServerNofile: gc's runtime raises the server's own soft
// RLIMIT_NOFILE to the hard limit (or one below it), for as many
// connections as that allows; gccgo's runtime does not, and the server
// does not either, since every child would get the raised limit.
func TestServerNofile(t *testing.T) {
	l, _ := listener(t, "127.0.0.1", -1)
	argv := []string{"/bin/sh", "-c", `ulimit -Sn 64 && exec "$@"`, "sh", tsaBinary, "/bin/true"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	var hard syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &hard)
	tool := testkit.Toolchain(tsaBinary)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		exe, _ := os.Readlink("/proc/" + strconv.Itoa(s.proc.Pid) + "/exe")
		soft := softNofile(t, s.proc.Pid)
		raised := soft+1 >= hard.Max
		if exe == tsaBinary && raised == (tool.Compiler == "gc") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's soft RLIMIT_NOFILE is %d, the hard one %d; want it raised only by gc's runtime (%s build)", soft, hard.Max, tool)
		}
	}
}

// softNofile reads the soft RLIMIT_NOFILE of process pid from /proc.
func softNofile(t *testing.T, pid int) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "Max open files") && len(f) >= 5 {
			n, err := strconv.ParseUint(f[3], 10, 64)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("no Max open files in /proc/%d/limits:\n%s", pid, data)
	return 0
}
