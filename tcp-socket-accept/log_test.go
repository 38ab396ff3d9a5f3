//go:build linux

package main

import (
	"io"
	"os"
	"strconv"
	"strings"
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

// stderrOf runs f with descriptor 2 a pipe, and returns what f wrote.
func stderrOf(t *testing.T, f func()) string {
	t.Helper()
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
	f()
	syscall.Dup3(saved, 2, 0)
	syscall.Close(saved)
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out)
}

// TestClientLinesLimitedByCause: lines that name a client, one a
// connection, are limited by their cause, not their text: a rules file
// that cannot be read under a flood of clients, each from a port of its
// own, is a few lines a second, not one a client.
func TestClientLinesLimitedByCause(t *testing.T) {
	l := logger{prog: "prog", limit: newLineLimit()}
	c := connection{remoteIP: "127.0.0.2"}
	out := stderrOf(t, func() {
		for port := 40000; port < 40100; port++ {
			c.remotePort = strconv.Itoa(port)
			l.dropped(c, "/etc/tcp.cdb", syscall.EACCES)
			l.errorFor("setsockopt IP_OPTIONS: "+syscall.EINVAL.Error(), "setsockopt IP_OPTIONS for 127.0.0."+strconv.Itoa(port%250)+": "+syscall.EINVAL.Error())
		}
	})
	if n := strings.Count(out, "dropping connection from 127.0.0.2 "); n != sameLinesPerSecond {
		t.Errorf("%d dropping lines for 100 clients in a moment; want %d:\n%s", n, sameLinesPerSecond, out)
	}
	if n := strings.Count(out, "setsockopt IP_OPTIONS for "); n != sameLinesPerSecond {
		t.Errorf("%d IP_OPTIONS lines for 100 clients in a moment; want %d", n, sameLinesPerSecond)
	}
}

// TestSameErrorLinesLimited: one ERROR line is written at most
// sameLinesPerSecond times in a second; the next one written, in a later
// second, says how many were left out. Other lines are counted apart.
func TestSameErrorLinesLimited(t *testing.T) {
	ll := newLineLimit()
	t0 := time.Unix(1000, 0)
	written := 0
	for i := 0; i < 100; i++ {
		if note, ok := ll.allow("accept: software caused connection abort", t0.Add(time.Duration(i)*time.Millisecond)); ok {
			written++
			if note != "" {
				t.Errorf("line %d written with note %q; want none", i, note)
			}
		}
	}
	if written != sameLinesPerSecond {
		t.Errorf("%d of 100 lines in a second written; want %d", written, sameLinesPerSecond)
	}
	if _, ok := ll.allow("accept: too many open files", t0.Add(100*time.Millisecond)); !ok {
		t.Error("another line held back")
	}
	note, ok := ll.allow("accept: software caused connection abort", t0.Add(time.Second))
	if want := " (" + strconv.Itoa(100-sameLinesPerSecond) + " more like it not written)"; !ok || note != want {
		t.Errorf("a second later: written %v, note %q; want written, note %q", ok, note, want)
	}
	if note, ok := (*lineLimit)(nil).allow("x", t0); !ok || note != "" {
		t.Errorf("no limit: written %v, note %q; want written, no note", ok, note)
	}
}

// TestLineLimitForgets: the texts whose second is over are forgotten once
// there are many, but for those with lines left out, which are kept for a
// minute.
func TestLineLimitForgets(t *testing.T) {
	ll := newLineLimit()
	t0 := time.Unix(1000, 0)
	for i := 0; i <= sameLinesPerSecond; i++ {
		ll.allow("storm", t0)
	}
	for i := 0; i < forgetBeyond; i++ {
		ll.allow("client "+strconv.Itoa(i), t0)
	}
	ll.allow("new", t0.Add(2*time.Second))
	if len(ll.texts) != 2 {
		t.Errorf("%d texts remembered; want the storm's and the new one", len(ll.texts))
	}
	for i := 0; i < forgetBeyond; i++ {
		ll.allow("later client "+strconv.Itoa(i), t0.Add(2*forgetAfter))
	}
	if _, kept := ll.texts["storm"]; kept {
		t.Error("the storm's text kept after a minute and more")
	}
}
