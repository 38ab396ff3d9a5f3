package main

import "testing"

// TestIDsFrom: -u and -g as given, -U from $UID and $GID, and what is
// wrong with each.
func TestIDsFrom(t *testing.T) {
	env := []string{"UID=64210", "GID=64211"}
	for _, c := range []struct {
		args []string
		env  []string
		want ids
		err  string
	}{
		{[]string{"cat"}, nil, ids{-1, -1}, ""},
		{[]string{"-u", "7", "-g", "8", "cat"}, nil, ids{7, 8}, ""},
		{[]string{"-U", "cat"}, env, ids{64210, 64211}, ""},
		{[]string{"-Ug9", "cat"}, env, ids{64210, 9}, ""},
		{[]string{"-U", "cat"}, []string{"UID=1"}, ids{}, "-U: $GID is not set (envuidgid sets it)"},
		{[]string{"-U", "cat"}, []string{"UID=x1", "GID=2"}, ids{}, "-U: $UID x1: not a decimal ID up to 2147483647"},
	} {
		cfg, _, err := parseArgs(c.args)
		if err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		got, err := idsFrom(cfg, c.env)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("%q with %q: %v; want %q", c.args, c.env, err, c.err)
		case c.err == "" && (err != nil || got != c.want):
			t.Errorf("%q with %q: %+v, %v; want %+v", c.args, c.env, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "x", "-1", "+1", "1x", "0x10", "2147483648", "4294967295", " 1"} {
		if _, err := idNumber(bad); err == nil {
			t.Errorf("idNumber(%q) took it", bad)
		}
	}
	if n, err := idNumber("2147483647"); n != 2147483647 || err != nil {
		t.Errorf("idNumber(2147483647) = %d, %v", n, err)
	}
}
