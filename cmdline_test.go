package main

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// toy is a command with a switch, a short-only-less switch and a number.
type toy struct {
	h, q bool
	n    int
}

func (t *toy) grammar() grammar {
	return grammar{
		operands: "{a} {prog...}",
		options: []option{
			{long: "quiet", help: "Say less.", set: func(string) error { t.q = true; return nil }},
			{long: "numeric-host", short: 'H', help: "Numbers only.", set: func(string) error { t.h = true; return nil }},
			{long: "backlog", short: 'b', value: "number", help: "How many.", set: func(v string) error {
				n, err := strconv.Atoi(v)
				if err != nil {
					return errors.New("not a number")
				}
				t.n = n
				return nil
			}},
		},
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		args []string
		want toy
		rest []string
		req  request
		err  string
	}{
		{[]string{"a", "p"}, toy{}, []string{"a", "p"}, reqRun, ""},
		{[]string{"-Hb7", "a"}, toy{h: true, n: 7}, []string{"a"}, reqRun, ""},
		{[]string{"-H", "-b", "7", "a", "-b", "9"}, toy{h: true, n: 7}, []string{"a", "-b", "9"}, reqRun, ""},
		{[]string{"--backlog=8", "--quiet", "a"}, toy{q: true, n: 8}, []string{"a"}, reqRun, ""},
		{[]string{"--backlog", "9", "a"}, toy{n: 9}, []string{"a"}, reqRun, ""},
		{[]string{"--", "-H", "p"}, toy{}, []string{"-H", "p"}, reqRun, ""},
		{[]string{"-", "-H"}, toy{}, []string{"-", "-H"}, reqRun, ""},
		{[]string{"-H?x"}, toy{h: true}, nil, reqHelp, ""},
		{[]string{"--help", "--bogus"}, toy{}, nil, reqHelp, ""},
		{[]string{"--usage"}, toy{}, nil, reqUsage, ""},
		{[]string{"--bogus", "a"}, toy{}, nil, reqRun, "--bogus: unknown option"},
		{[]string{"-Hx", "a"}, toy{h: true}, nil, reqRun, "-x: unknown option"},
		{[]string{"--quiet=1", "a"}, toy{}, nil, reqRun, "--quiet=1: option takes no argument"},
		{[]string{"--help=1"}, toy{}, nil, reqRun, "--help=1: option takes no argument"},
		{[]string{"-b"}, toy{}, nil, reqRun, "-b: missing option argument"},
		{[]string{"--backlog"}, toy{}, nil, reqRun, "--backlog: missing option argument"},
		{[]string{"-b", "x y", "a"}, toy{}, nil, reqRun, `-b "x y": not a number`},
		{[]string{"--backlog=", "a"}, toy{}, nil, reqRun, `--backlog "": not a number`},
		{[]string{"-\n", "a"}, toy{}, nil, reqRun, `"-\n": unknown option`},
	}
	for _, c := range cases {
		var got toy
		rest, req, err := got.grammar().parse(c.args)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || !reflect.DeepEqual(rest, c.rest) || req != c.req || msg != c.err {
			t.Errorf("%q: got %+v %q %v %q; want %+v %q %v %q", c.args, got, rest, req, msg, c.want, c.rest, c.req, c.err)
		}
	}
}

func TestHelpText(t *testing.T) {
	var x toy
	want := `Usage: prog [OPTION...] {a} {prog...}
Options:
      --quiet           Say less.
  -H, --numeric-host    Numbers only.
  -b, --backlog number  How many.
  -?, --help            Print this help and exit.
      --usage           Print the usage line and exit.
`
	if got := x.grammar().helpText("prog"); got != want {
		t.Errorf("help text:\n%s\nwant:\n%s", got, want)
	}
	if got := x.grammar().usageLine("prog"); got != "Usage: prog [OPTION...] {a} {prog...}\n" {
		t.Errorf("usage line %q", got)
	}
}

// FuzzParse checks what holds for every command line: an error is one
// line, and what follows the options comes back untouched.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a\x00p", "-Hb7\x00a", "--backlog=8\x00a", "--\x00-H", "-?", "-b", "--bogus"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		var x toy
		rest, req, err := x.grammar().parse(args)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error %q is more than one line", args, err)
			}
			return
		}
		if req != reqRun {
			return
		}
		if len(rest) > len(args) || !reflect.DeepEqual(rest, args[len(args)-len(rest):]) {
			t.Fatalf("%q: rest %q is not the tail of the arguments", args, rest)
		}
	})
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		argv []string
		prog string
		args []string
	}{
		{nil, "dflt", nil},
		{[]string{"/usr/bin/tool", "-v", "x"}, "tool", []string{"-v", "x"}},
		{[]string{"", "x"}, "dflt", []string{"x"}},
		{[]string{"dir/"}, "dflt", []string{}},
	} {
		prog, args := splitArgv(c.argv, "dflt")
		if prog != c.prog || len(args) != len(c.args) || len(args) > 0 && !reflect.DeepEqual(args, c.args) {
			t.Errorf("splitArgv(%q) = %s, %q; want %s, %q", c.argv, prog, args, c.prog, c.args)
		}
	}
}

func TestOn(t *testing.T) {
	var b bool
	if err := on(&b)(""); err != nil || !b {
		t.Errorf("on: %v, flag %v; want it set", err, b)
	}
}
