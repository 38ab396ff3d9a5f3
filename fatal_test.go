package main

import "testing"

func TestQuote(t *testing.T) {
	for s, want := range map[string]string{"": `""`, "a-b": "a-b", "a b": `"a b"`, "x\n": `"x\n"`, `q"`: `"q\""`, "\xff": `"\xff"`} {
		if got := quote(s); got != want {
			t.Errorf("quote(%q) = %s; want %s", s, got, want)
		}
	}
}

func TestProgName(t *testing.T) {
	for _, c := range [][2]string{{"", "dflt"}, {"/usr/bin/tool", "tool"}, {"tool", "tool"}, {"dir/", "dflt"}, {"/", "dflt"}, {"/a/x y", `"x y"`}} {
		if got := progName(c[0], "dflt"); got != c[1] {
			t.Errorf("progName(%q) = %s; want %s", c[0], got, c[1])
		}
	}
}
