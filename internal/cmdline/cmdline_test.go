package cmdline

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

func (t *toy) command() Command {
	return Command{
		Operands: "{a} {prog...}",
		Options: []Option{
			{Long: "quiet", Help: "Say less.", Set: func(string) error { t.q = true; return nil }},
			{Long: "numeric-host", Short: 'H', Help: "Numbers only.", Set: func(string) error { t.h = true; return nil }},
			{Long: "backlog", Short: 'b', Value: "number", Help: "How many.", Set: func(v string) error {
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
		req  Request
		err  string
	}{
		{[]string{"a", "p"}, toy{}, []string{"a", "p"}, Run, ""},
		{[]string{"-Hb7", "a"}, toy{h: true, n: 7}, []string{"a"}, Run, ""},
		{[]string{"-H", "-b", "7", "a", "-b", "9"}, toy{h: true, n: 7}, []string{"a", "-b", "9"}, Run, ""},
		{[]string{"--backlog=8", "--quiet", "a"}, toy{q: true, n: 8}, []string{"a"}, Run, ""},
		{[]string{"--backlog", "9", "a"}, toy{n: 9}, []string{"a"}, Run, ""},
		{[]string{"--", "-H", "p"}, toy{}, []string{"-H", "p"}, Run, ""},
		{[]string{"-", "-H"}, toy{}, []string{"-", "-H"}, Run, ""},
		{[]string{"-H?x"}, toy{h: true}, nil, Help, ""},
		{[]string{"--help", "--bogus"}, toy{}, nil, Help, ""},
		{[]string{"--usage"}, toy{}, nil, Usage, ""},
		{[]string{"--bogus", "a"}, toy{}, nil, Run, "--bogus: unknown option"},
		{[]string{"-Hx", "a"}, toy{h: true}, nil, Run, "-x: unknown option"},
		{[]string{"--quiet=1", "a"}, toy{}, nil, Run, "--quiet=1: option takes no argument"},
		{[]string{"--help=1"}, toy{}, nil, Run, "--help=1: option takes no argument"},
		{[]string{"-b"}, toy{}, nil, Run, "-b: missing option argument"},
		{[]string{"--backlog"}, toy{}, nil, Run, "--backlog: missing option argument"},
		{[]string{"-b", "x y", "a"}, toy{}, nil, Run, `-b "x y": not a number`},
		{[]string{"--backlog=", "a"}, toy{}, nil, Run, `--backlog "": not a number`},
		{[]string{"-\n", "a"}, toy{}, nil, Run, `"-\n": unknown option`},
	}
	for _, c := range cases {
		var got toy
		rest, req, err := got.command().Parse(c.args)
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
	if got := x.command().HelpText("prog"); got != want {
		t.Errorf("help text:\n%s\nwant:\n%s", got, want)
	}
	if got := x.command().UsageLine("prog"); got != "Usage: prog [OPTION...] {a} {prog...}\n" {
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
		rest, req, err := x.command().Parse(args)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%q: error %q is more than one line", args, err)
			}
			return
		}
		if req != Run {
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
		prog, args := Split(c.argv, "dflt")
		if prog != c.prog || len(args) != len(c.args) || len(args) > 0 && !reflect.DeepEqual(args, c.args) {
			t.Errorf("Split(%q) = %s, %q; want %s, %q", c.argv, prog, args, c.prog, c.args)
		}
	}
}

func TestOn(t *testing.T) {
	var b bool
	if err := On(&b)(""); err != nil || !b {
		t.Errorf("On: %v, flag %v; want it set", err, b)
	}
}
