//go:build linux

package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// What differs between the builds of the toolchains that build this
// command (the manual, BUILDS), pinned.

// TestChildNofile: a child gets the soft RLIMIT_NOFILE the server was
// given. gc's runtime raises the server's own to the hard limit and gives
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
