//go:build linux

package main

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// The oracle: Debian's ucspi-tcp, whose tcprules compiles rule files and
// whose tcprulescheck says what tcpserver would do with a client.

// rulesText holds the rule forms that tcprules(1) documents: ranges of
// the last number and of a middle one, prefixes, quotes made of any
// repeated character, empty values, several variables, a variable set
// twice, TCPLOCALHOST, and rules for names and users, which never match
// here; it ends with a default that denies, or none.
func rulesText(withDefault bool) string {
	s := `# tcp.smtp, as qmail users write it
127.0.0.1-5:allow,RELAYCLIENT="",X='a b'
127.0.0.6:allow,E=//,TCPLOCALHOST="movie.edu"
127.0.0.7:deny
127.0.0.8:allow,Q=+quoted+,Z=xx,COMMA=",",COLON=":deny"
127.0.0.9:allow,TWICE="1",TWICE="2"
joe@127.0.0.10:deny
127.0.0.10:allow,WHO="anyone"
=localhost:deny
=:deny
127.0.1.:deny
127.0.2.:allow,PREFIX="127.0.2."
127.0.2.10:allow,EXACT="yes"
127.0.3-4.:allow,RANGE="3-4"
127.1.:deny
127.:allow,NET="127"
`
	if withDefault {
		s += ":deny\n"
	}
	return s
}

// ruleClients are addresses in 127.0.0.0/8 that meet every rule above,
// and some that meet none.
var ruleClients = []string{
	"127.0.0.1", "127.0.0.3", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10",
	"127.0.0.11", "127.0.0.50", "127.0.1.1", "127.0.1.200", "127.0.2.1", "127.0.2.10", "127.0.3.3", "127.0.4.4",
	"127.0.5.5", "127.1.0.1", "127.2.0.1", "127.255.255.254",
}

// compileRules writes text to a file and compiles it with tcprules into
// FILE.cdb in dir, whose path it returns.
func compileRules(t *testing.T, dir, name, text string) string {
	t.Helper()
	tcprules := testkit.SystemProgram(t, "tcprules", "ucspi-tcp")
	cdb := filepath.Join(dir, name)
	cmd := exec.Command(tcprules, cdb, cdb+".tmp")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tcprules: %v: %s", err, out)
	}
	return cdb
}

// oracle is tcprulescheck's answer for a client at ip: the rule that
// decided ("default" for none), whether it denies, and the variables set.
type oracle struct {
	rule string
	deny bool
	env  []string // NAME=VALUE
}

func rulescheck(t *testing.T, cdb, ip string) oracle {
	t.Helper()
	o, failed := rulescheckOf(t, cdb, ip)
	if failed {
		t.Fatalf("TCPREMOTEIP=%s tcprulescheck %s: cannot read the rules", ip, cdb)
	}
	return o
}

// ucspiTCPIPv6 is where .ci/run unpacks Debian's ucspi-tcp-ipv6, whose
// tcprulescheck is the oracle for an IPv6 client: it conflicts with
// ucspi-tcp, whose tcprulescheck knows IPv4 alone, so it is unpacked
// beside it, not installed.
const ucspiTCPIPv6 = "/opt/ucspi-tcp-ipv6/usr/bin"

// ipv6Rulescheck is ucspi-tcp-ipv6's tcprulescheck, or a skip.
func ipv6Rulescheck(t *testing.T) string {
	t.Helper()
	p := filepath.Join(ucspiTCPIPv6, "tcprulescheck")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("ucspi-tcp-ipv6's tcprulescheck, the oracle for IPv6 keys, is not unpacked in %s (.ci/run unpacks it): %v", ucspiTCPIPv6, err)
	}
	return p
}

// rulescheckOf is tcprulescheck's answer, or failed when it cannot read
// the rules: exit status 111.
func rulescheckOf(t *testing.T, cdb, ip string) (o oracle, failed bool) {
	t.Helper()
	return rulescheckNamed(t, cdb, ip, "")
}

// rulescheckNamed is rulescheckOf for a client named host, its
// TCPREMOTEHOST ("" for none).
func rulescheckNamed(t *testing.T, cdb, ip, host string) (o oracle, failed bool) {
	t.Helper()
	check := testkit.SystemProgram(t, "tcprulescheck", "ucspi-tcp")
	if strings.Contains(ip, ":") {
		check = ipv6Rulescheck(t)
	}
	cmd := exec.Command(check, cdb)
	cmd.Env = []string{"TCPREMOTEIP=" + ip}
	if host != "" {
		cmd.Env = append(cmd.Env, "TCPREMOTEHOST="+host)
	}
	out, err := cmd.Output()
	if e, ok := err.(*exec.ExitError); ok && e.ExitCode() == 111 {
		return oracle{}, true
	}
	if err != nil {
		t.Fatalf("TCPREMOTEIP=%s tcprulescheck %s: %v: %s", ip, cdb, err, out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if r, ok := testkit.CutPrefix(line, "rule "); ok {
			o.rule = strings.TrimSuffix(r, ":")
		} else if line == "default:" {
			o.rule = "default"
		} else if kv, ok := testkit.CutPrefix(line, "set environment variable "); ok {
			// tcprulescheck lists an entry without '=', which
			// tcpserver passes over.
			if strings.Contains(kv, "=") {
				o.env = append(o.env, kv)
			}
		} else if line == "deny connection" {
			o.deny = true
		} else if line != "allow connection" {
			t.Fatalf("tcprulescheck said %q", out)
		}
	}
	if o.deny {
		o.env = nil
	}
	return o, false
}

// asOracle is v in tcprulescheck's terms.
func asOracle(v verdict) oracle {
	o := oracle{rule: v.rule, deny: v.deny}
	if !v.found {
		o.rule = "default"
	}
	for _, e := range v.env {
		o.env = append(o.env, e.name+"="+e.value)
	}
	return o
}

// TestDecideMatchesTcprulescheck: for the rules compiled by tcprules,
// with and without a default, the rule, the decision and the variables
// are tcprulescheck's, for IPv4 clients, IPv4-mapped ones and IPv6 ones
// (which, since Debian's tcprules cannot write an address with a colon,
// meet only the default), with ucspi-tcp-ipv6's for the IPv6 ones.
func TestDecideMatchesTcprulescheck(t *testing.T) {
	dir := t.TempDir()
	extra := []string{"::ffff:127.0.0.1", "::ffff:127.0.9.9", "::ffff:127.1.0.1", "::1", "::2", "2001:db8::1", "::127.0.0.1", "10.0.0.1"}
	for _, withDefault := range []bool{true, false} {
		cdb := compileRules(t, dir, "rules.cdb", rulesText(withDefault))
		data, err := os.ReadFile(cdb)
		if err != nil {
			t.Fatal(err)
		}
		db := memCDB(data)
		for _, ip := range append(append([]string{}, ruleClients...), extra...) {
			v, err := decide(db, ip, "")
			if err != nil {
				t.Fatalf("decide(%s): %v", ip, err)
			}
			got, want := asOracle(v), rulescheck(t, cdb, ip)
			if got.rule != want.rule || got.deny != want.deny || strings.Join(got.env, "\n") != strings.Join(want.env, "\n") {
				t.Errorf("default %v, client %s: %+v; tcprulescheck says %+v", withDefault, ip, got, want)
			}
		}
	}
}

// TestDecideIPv6MatchesTcprulescheck: keys that Debian's tcprules cannot
// write, for IPv4-mapped and IPv6 clients, written into a cdb here and
// read by ucspi-tcp-ipv6's tcprulescheck: the address as inet_ntop
// writes it, then its prefixes ending with a dot or a colon.
func TestDecideIPv6MatchesTcprulescheck(t *testing.T) {
	cdb := filepath.Join(t.TempDir(), "v6.cdb")
	data := makeCDB([][2]string{
		{"::ffff:127.0.0.1", "+MAPPED=exact\x00"}, {"::ffff:127.0.", "+MAPPED=prefix\x00"}, {"::ffff:", "D\x00"},
		{"::1", "+V6=loopback\x00"}, {"2001:db8::1", "D\x00"}, {"127.", "+V4=1\x00"}, {"::", "D\x00"},
		{"::127.0.0.", "+COMPAT=1\x00"}, {"2001:db8:", "+PREFIX=2001:db8:\x00"}, {"fe80::", "D\x00"},
		{"", "+DEFAULT=1\x00"},
	})
	if err := os.WriteFile(cdb, data, 0o644); err != nil {
		t.Fatal(err)
	}
	db := memCDB(data)
	for _, ip := range []string{"::ffff:127.0.0.1", "::ffff:127.0.0.2", "::ffff:127.1.0.1", "::1", "::2", "2001:db8::1",
		"2001:db8::2", "2001:db8:1::2", "2001:db9::1", "::127.0.0.1", "127.0.0.1", "fe80::1", "fe80:1::1"} {
		v, err := decide(db, ip, "")
		if err != nil {
			t.Fatalf("decide(%s): %v", ip, err)
		}
		got, want := asOracle(v), rulescheck(t, cdb, ip)
		if got.rule != want.rule || got.deny != want.deny || strings.Join(got.env, "\n") != strings.Join(want.env, "\n") {
			t.Errorf("client %s: %+v; tcprulescheck says %+v", ip, got, want)
		}
	}
}

// TestDamagedLikeTcprulescheck: tcprules' own output, damaged at random
// in 400 ways (bytes or 32-bit words overwritten, with small numbers,
// numbers near the file's size or any, or the file cut short), is decided
// as tcprulescheck decides it, for clients that each meet a different
// rule: the same rule and variables, or an error where tcprulescheck
// cannot read the rules; and the same read whole or with pread.
func TestDamagedLikeTcprulescheck(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(compileRules(t, dir, "rules.cdb", rulesText(true)))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(24))
	path := filepath.Join(dir, "damaged.cdb")
	clients := []string{"127.0.0.1", "127.0.0.7", "127.0.2.10", "127.0.3.3", "127.2.0.1", "::1"}
	lookups, errors := 0, 0
	for i := 0; i < 400; i++ {
		data := damage(rng, good)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, k := range rng.Perm(len(clients))[:2] {
			ip := clients[k]
			v, err := decide(memCDB(data), ip, "")
			if pv, perr := decideFromFile(t, path, ip); !reflect.DeepEqual(pv, v) || fmt.Sprint(perr) != fmt.Sprint(err) {
				t.Errorf("damage %d, client %s: in memory %+v, %v; with pread %+v, %v", i, ip, v, err, pv, perr)
			}
			want, failed := rulescheckOf(t, path, ip)
			lookups++
			if failed {
				errors++
			}
			got := asOracle(v)
			switch {
			case failed != (err != nil):
				t.Errorf("damage %d, client %s: %+v, %v; tcprulescheck failed: %v", i, ip, got, err, failed)
			case !failed && (got.rule != want.rule || got.deny != want.deny || strings.Join(got.env, "\n") != strings.Join(want.env, "\n")):
				t.Errorf("damage %d, client %s: %+v; tcprulescheck says %+v", i, ip, got, want)
			}
		}
	}
	t.Logf("%d lookups in 400 damaged files, %d of them errors for both", lookups, errors)
}

// decideFromFile decides on ip by the rules at path read with pread, as
// for a file too large to be read whole.
func decideFromFile(t *testing.T, path, ip string) (verdict, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	db, err := newCDB(fileAt(f.Fd()), st.Size())
	if err != nil {
		return verdict{}, err
	}
	return decide(db, ip, "")
}

// damage is a copy of good with one to three faults.
func damage(rng *rand.Rand, good []byte) []byte {
	data := append([]byte(nil), good...)
	for n := 1 + rng.Intn(3); n > 0; n-- {
		switch rng.Intn(5) {
		case 0: // a byte
			data[rng.Intn(len(data))] = byte(rng.Intn(256))
		case 1, 2, 3: // a number: a position, a length, a hash
			at := rng.Intn(len(data)/4) * 4
			var v uint32
			switch rng.Intn(3) {
			case 0:
				v = uint32(rng.Intn(64))
			case 1:
				v = uint32(len(data) - 16 + rng.Intn(32))
			default:
				v = rng.Uint32()
			}
			binary.LittleEndian.PutUint32(data[at:], v)
		default: // cut short
			data = data[:rng.Intn(len(data))]
		}
		if len(data) < 4 {
			return data
		}
	}
	return data
}

// hostRules are rules for names as tcprules compiles them: a name, the
// suffixes of names, "=" for any named client, beside addresses and
// prefixes that come before or after them in tcpserver's order.
const hostRules = `127.0.0.3:deny
=client-two.example.org:allow,WHO="host"
127.0.1.:allow,WHO="prefix"
=.mail.example.org:allow,WHO="mail"
=.example.org:allow,WHO="suffix"
=.org:deny
=:allow,WHO="named"
:allow,WHO="default"
`

// TestDecideNamesMatchTcprulescheck: for clients with and without a name
// (TCPREMOTEHOST), the rule, the decision and the variables are
// tcprulescheck's: the address, then =host, then the address's prefixes,
// then the name's suffixes, longest first, then "=", then the default.
func TestDecideNamesMatchTcprulescheck(t *testing.T) {
	for _, withDefault := range []bool{true, false} {
		text := hostRules
		if !withDefault {
			text = strings.Replace(strings.Replace(text, ":allow,WHO=\"default\"\n", "", 1), "=:allow,WHO=\"named\"\n", "", 1)
		}
		cdb := compileRules(t, t.TempDir(), "rules.cdb", text)
		data, err := os.ReadFile(cdb)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ ip, host string }{
			{"127.0.0.2", "client-two.example.org"}, {"127.0.0.2", ""}, {"127.0.0.3", "client-two.example.org"},
			{"127.0.1.8", "pre.example.org"}, {"127.0.0.7", "deep.mail.example.org"}, {"127.0.0.8", "x.example.org"},
			{"127.0.0.9", "other.org"}, {"127.0.0.9", "org"}, {"127.0.0.9", "files-only.test"}, {"127.0.0.9", ""},
			{"127.0.0.9", ".example.org"}, {"127.0.0.9", "a..example.org"}, {"127.0.0.9", "example.org."},
		} {
			v, err := decide(memCDB(data), c.ip, c.host)
			if err != nil {
				t.Fatalf("decide(%s, %s): %v", c.ip, c.host, err)
			}
			want, failed := rulescheckNamed(t, cdb, c.ip, c.host)
			if failed {
				t.Fatalf("tcprulescheck could not read %s", cdb)
			}
			got := asOracle(v)
			if got.rule != want.rule || got.deny != want.deny || strings.Join(got.env, "\n") != strings.Join(want.env, "\n") {
				t.Errorf("default %v, client %s named %q: %+v; tcprulescheck says %+v", withDefault, c.ip, c.host, got, want)
			}
		}
	}
}
