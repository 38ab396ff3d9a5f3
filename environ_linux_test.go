package main

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// procEnviron is /proc/self/environ, entry for entry, read apart from
// the code under test.
func procEnviron(t *testing.T) []string {
	data, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		t.Fatal(err)
	}
	env := strings.Split(string(data), "\x00")
	return env[:len(env)-1] // after the last entry's NUL
}

func TestRead(t *testing.T) {
	got, err := readEnviron()
	if want := procEnviron(t); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("readEnviron: %v\n%q\n/proc/self/environ\n%q", err, got, want)
	}
}

func TestEnvironInPlace(t *testing.T) {
	// What secure mode reads from memory is what /proc/self/environ shows.
	got, err := environInPlace()
	if err != nil {
		t.Fatal(err)
	}
	if want := procEnviron(t); !reflect.DeepEqual(got, want) {
		t.Errorf("environInPlace\n%q\n/proc/self/environ\n%q", got, want)
	}
}

func TestEnvironBounds(t *testing.T) {
	fields := make([]string, 49)
	for i := range fields {
		fields[i] = strconv.Itoa(i + 3)
	}
	tail := strings.Join(fields, " ") + "\n"
	for _, c := range []struct {
		stat       string
		start, end uintptr
		ok         bool
	}{
		{"12 (tcp-socket-listen) " + tail, 50, 51, true},
		{"12 (a) (b) c) " + tail, 50, 51, true},
		{"12 (x) " + strings.Join(fields[:47], " ") + " 0 0 52\n", 0, 0, false}, // hidden
		{"12 (x) " + strings.Join(fields[:48], " ") + "\n", 0, 0, false},        // before Linux 3.5
	} {
		start, end, ok := environBounds(c.stat)
		if start != c.start || end != c.end || ok != c.ok {
			t.Errorf("environBounds(%q) = %d, %d, %v; want %d, %d, %v", c.stat, start, end, ok, c.start, c.end, c.ok)
		}
	}
}
