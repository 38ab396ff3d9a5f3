//go:build linux

package main

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestPositiveInt(t *testing.T) {
	cases := []struct {
		in   string
		want int
		err  string
	}{
		{"40", 40, ""}, {"0x28", 40, ""}, {"0X28", 40, ""}, {"050", 40, ""}, {"+40", 40, ""}, {" \t40", 40, ""},
		{"2147483647", 2147483647, ""}, {"0x", 0, "junk after number"},
		{"0", 0, "must be at least 1"}, {"-1", 0, "negative number"}, {"-0", 0, "negative number"},
		{"", 0, "not a number"}, {"x", 0, "not a number"}, {"40 ", 0, "junk after number"}, {"08", 0, "junk after number"},
		{"2147483648", 0, "number out of range"}, {"18446744073709551616", 0, "number out of range"},
	}
	for _, c := range cases {
		got, err := positiveInt(c.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("positiveInt(%q) = %d, %q; want %d, %q", c.in, got, msg, c.want, c.err)
		}
	}
}

func TestEnvironmentEdits(t *testing.T) {
	env := []string{"A=1", "B=2", "A=3", "NOEQ", "", "=x", "AB=4"}
	if got, ok := getenv(env, "A"); got != "1" || !ok {
		t.Errorf("getenv A = %q, %v; want the first, 1", got, ok)
	}
	if _, ok := getenv(env, "NOEQ"); ok {
		t.Error("getenv found NOEQ, an entry without '='")
	}
	set := setenv(env, "A", "9")
	if want := []string{"A=9", "B=2", "A=3", "NOEQ", "", "=x", "AB=4"}; !reflect.DeepEqual(set, want) {
		t.Errorf("setenv A: %q; want %q", set, want)
	}
	if env[0] != "A=1" {
		t.Error("setenv changed its argument")
	}
	if got := setenv(env, "C", "5"); got[len(got)-1] != "C=5" || len(got) != len(env)+1 {
		t.Errorf("setenv C: %q; want C=5 added at the end", got)
	}
	if got, want := unsetenv(env, "A"), []string{"B=2", "NOEQ", "", "=x", "AB=4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unsetenv A: %q; want %q", got, want)
	}
}

func TestSearchPath(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		{"prog", []string{"PATH=/a:/b"}, []string{"/a/prog", "/b/prog"}},
		{"prog", []string{"PATH=:/a::"}, []string{"prog", "/a/prog", "prog", "prog"}},
		{"prog", []string{"PATH="}, []string{"prog"}},
		{"prog", nil, []string{"/bin/prog", "/usr/bin/prog"}},
		{"./prog", []string{"PATH=/a"}, []string{"./prog"}},
		{"/x/prog", nil, []string{"/x/prog"}},
	}
	for _, c := range cases {
		if got := searchPath(c.name, c.env); !reflect.DeepEqual(got, c.want) {
			t.Errorf("searchPath(%q, %q) = %q; want %q", c.name, c.env, got, c.want)
		}
	}
}

// TestNtop6 checks the IPv6 forms against what glibc's inet_ntop writes.
func TestNtop6(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"::", "::"}, {"::1", "::1"}, {"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"::1.2.3.4", "::1.2.3.4"}, {"::0.0.1.2", "::102"}, {"2001:db8::1", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"fe80::1:2", "fe80::1:2"},
	} {
		if got := ntop6(netip.MustParseAddr(c.in).As16()); got != c.want {
			t.Errorf("ntop6(%s) = %s; want %s", c.in, got, c.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		args []string
		want config
	}{
		{[]string{"cat"}, config{limit: 40, next: []string{"cat"}}},
		{[]string{"-vkDo", "-c3", "-C", "2", "-lname", "cat", "-v"},
			config{verbose: true, keepalives: true, noDelay: true, keepIPOptions: true, limit: 3, perHost: 2, localName: "name", hasLocalName: true, next: []string{"cat", "-v"}}},
		{[]string{"--verbose", "--connection-limit=5", "--per-host-limit", "07", "--localname=", "--", "-x"},
			config{verbose: true, limit: 5, perHost: 7, hasLocalName: true, next: []string{"-x"}}},
		{[]string{"-", "a"}, config{limit: 40, next: []string{"-", "a"}}},
	}
	for _, c := range cases {
		got, req, err := parseArgs(c.args)
		if err != nil || req != run || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseArgs(%q) = %+v, %v, %v; want %+v", c.args, got, req, err, c.want)
		}
	}
}

// TestHelpListsEveryOption: the help text and the option table agree.
func TestHelpListsEveryOption(t *testing.T) {
	var c config
	for _, o := range c.options() {
		if !strings.Contains(optionList, "--"+o.long) {
			t.Errorf("--help does not list --%s", o.long)
		}
		if o.short != 0 && !strings.Contains(optionList, "-"+string(o.short)+", --"+o.long) {
			t.Errorf("--help does not list -%c with --%s", o.short, o.long)
		}
	}
}
