//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRules: whatever the file holds and whatever the address, deciding
// on the client ends without a panic, a rule that decides is the
// address, one of its prefixes ending with a dot or a colon, or the
// empty key, and,
// the oracle, the verdict is tcprulescheck's on the same file: the same
// rule and variables, or an error where it cannot read the rules. The
// seed corpus in testdata/fuzz/FuzzRules is tcprules' own output
// (Debian's ucspi-tcp 0.88), for qmail's usual rules, ranges, quotes,
// =host and info@ rules, an empty file and a default deny, which the
// fuzzer damages; the seeds here add keys that tcprules cannot write.
func FuzzRules(f *testing.F) {
	f.Add(makeCDB([][2]string{{"::ffff:127.0.0.1", "+A=1\x00"}, {"::ffff:127.", "D\x00"}, {"", "+X\x00D"}}), "::ffff:127.0.0.1")
	f.Add(makeCDB([][2]string{{"::1", "+V6=1\x00"}, {"1.2.3.", "D\x00+X=1\x00"}}), "1.2.3.4")
	f.Add(makeCDB(nil)[:2047], "")
	_, err := exec.LookPath("tcprulescheck")
	oracle := err == nil
	f.Fuzz(func(t *testing.T, data []byte, ip string) {
		v, err := decide(memCDB(data), ip, "")
		if err == nil && v.found && v.rule != ip && v.rule != "" && !(strings.HasPrefix(ip, v.rule) && strings.ContainsAny(v.rule[len(v.rule)-1:], ".:")) {
			t.Errorf("client %q decided by the rule %q", ip, v.rule)
		}
		if v.deny && len(v.env) > 0 {
			t.Errorf("a deny with variables %q", v.env)
		}
		// An address as TCPREMOTEIP can hold one, and tcprulescheck's
		// lines can show.
		if !oracle || strings.Trim(ip, "0123456789abcdef.:") != "" {
			return
		}
		path := filepath.Join(t.TempDir(), "rules.cdb")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		want, failed := rulescheckOf(t, path, ip)
		got := asOracle(v)
		switch {
		case failed != (err != nil):
			t.Errorf("client %s: %+v, %v; tcprulescheck failed: %v", ip, got, err, failed)
		case !failed && (got.rule != want.rule || got.deny != want.deny || strings.Join(got.env, "\n") != strings.Join(want.env, "\n")):
			t.Errorf("client %s: %+v; tcprulescheck says %+v", ip, got, want)
		}
	})
}
