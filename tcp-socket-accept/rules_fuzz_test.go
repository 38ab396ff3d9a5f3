package main

import (
	"strings"
	"testing"
)

// FuzzRules: whatever the file holds and whatever the address, reading
// the file and deciding on the client ends without a panic, and a rule
// that decides is the address, one of its prefixes ending with a dot, or
// the empty key. The seed corpus in testdata/fuzz/FuzzRules is tcprules'
// own output (Debian's ucspi-tcp 0.88), for qmail's usual rules, ranges,
// quotes, =host and info@ rules, an empty file and a default deny; the
// seeds here add keys that tcprules cannot write.
func FuzzRules(f *testing.F) {
	f.Add(makeCDB([][2]string{{"::ffff:127.0.0.1", "+A=1\x00"}, {"::ffff:127.", "D\x00"}, {"", "+X\x00D"}}), "::ffff:127.0.0.1")
	f.Add(makeCDB([][2]string{{"::1", "+V6=1\x00"}, {"1.2.3.", "D\x00+X=1\x00"}}), "1.2.3.4")
	f.Add(makeCDB(nil)[:2047], "")
	f.Fuzz(func(t *testing.T, data []byte, ip string) {
		db, err := newCDB(data)
		if err != nil {
			return
		}
		v, err := decide(db, ip)
		if err != nil || !v.found {
			return
		}
		if v.rule != ip && v.rule != "" && !(strings.HasPrefix(ip, v.rule) && strings.HasSuffix(v.rule, ".")) {
			t.Errorf("client %q decided by the rule %q", ip, v.rule)
		}
		if v.deny && len(v.env) > 0 {
			t.Errorf("a deny with variables %q", v.env)
		}
	})
}
