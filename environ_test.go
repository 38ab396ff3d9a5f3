package main

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"tcp-socket-listen/internal/cmodel"
)

var odd = []string{"", "DUP=1", "NOEQUALS", "DUP=2", "EMPTY=", "=nameless", "DUPLICATE=3", "DUP"}

func TestGet(t *testing.T) {
	for _, c := range []struct {
		name, value string
		ok          bool
	}{
		{"DUP", "1", true}, {"EMPTY", "", true}, {"NOEQUALS", "", false}, {"DU", "", false}, {"", "nameless", true},
	} {
		if v, ok := getenv(odd, c.name); v != c.value || ok != c.ok {
			t.Errorf("getenv(%q) = %q, %v; want %q, %v", c.name, v, ok, c.value, c.ok)
		}
	}
}

func TestSet(t *testing.T) {
	got := setenv(append([]string{}, odd...), "DUP", "x")
	want := []string{"", "DUP=x", "NOEQUALS", "DUP=x", "EMPTY=", "=nameless", "DUPLICATE=3", "DUP"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("setenv in place:\n%q\nwant\n%q", got, want)
	}
	got = setenv(append([]string{}, odd...), "NEW", "y")
	if want := append(append([]string{}, odd...), "NEW=y"); !reflect.DeepEqual(got, want) {
		t.Errorf("setenv of a new name:\n%q\nwant\n%q", got, want)
	}
}

func FuzzListenFDs(f *testing.F) {
	for _, s := range [][2]string{{"42", "2"}, {"42", "0x2"}, {"42", " 2"}, {"42", "2 "}, {"42", "-1"}, {"042", "1"}, {"0x2a", "3"},
		{"43", "2"}, {"42", ""}, {"", "2"}, {"42", "2147483644"}, {"42", "2147483645"}, {"42", "2147483648"}, {"42", "4294967295"},
		{"42", "0xffffffff"}, {"42", "18446744073709551617"}, {"42", "-18446744073709551617"}, {"43", "4294967295"}, {"+42", "+1"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pid, fds string) {
		env := []string{"LISTEN_PID=" + pid, "LISTEN_FDS=" + fds}
		got, err := listenFDs(env, 42)
		pok, pneg, p, pfits := cmodel.Strtoul(pid)
		fok, fneg, n, ffits := cmodel.Strtoul(fds)
		// The largest descriptor number is INT_MAX, and the socket goes on
		// 3+n.
		counted := pok && !pneg && pfits && p == 42 && fok
		switch {
		case counted && (fneg || !ffits || n > math.MaxInt32-3):
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("LISTEN_PID=%q LISTEN_FDS=%q: %d, %v; want a one-line error", pid, fds, got, err)
			}
		case counted:
			if got != int(n) || err != nil {
				t.Fatalf("LISTEN_PID=%q LISTEN_FDS=%q: %d, %v; want %d", pid, fds, got, err, n)
			}
		case got != 0 || err != nil:
			t.Fatalf("LISTEN_PID=%q LISTEN_FDS=%q: %d, %v; want none passed", pid, fds, got, err)
		}
	})
}
