package main

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

// makeCDB writes records as cdb_make does, in order, with each table
// twice as long as its entries, so that a search ends at an empty slot.
func makeCDB(records [][2]string) []byte {
	type entry struct{ h, pos uint32 }
	var tables [256][]entry
	out := make([]byte, cdbHeaderSize)
	for _, r := range records {
		pos := uint32(len(out))
		out = appendUint32(out, uint32(len(r[0])))
		out = appendUint32(out, uint32(len(r[1])))
		out = append(append(out, r[0]...), r[1]...)
		h := cdbHash(r[0])
		tables[h&255] = append(tables[h&255], entry{h, pos})
	}
	for t, entries := range tables {
		slots := make([]entry, 2*len(entries))
		for _, e := range entries {
			i := int(e.h>>8) % len(slots)
			for slots[i].pos != 0 {
				i = (i + 1) % len(slots)
			}
			slots[i] = e
		}
		binary.LittleEndian.PutUint32(out[8*t:], uint32(len(out)))
		binary.LittleEndian.PutUint32(out[8*t+4:], uint32(len(slots)))
		for _, e := range slots {
			out = appendUint32(out, e.h)
			out = appendUint32(out, e.pos)
		}
	}
	return out
}

// TestCDBFind: every key is found with the data of its first record,
// among 2000 keys that share tables and collide in them; the empty key
// and empty data too; a missing key is not found.
func TestCDBFind(t *testing.T) {
	records := [][2]string{{"", "empty key"}, {"no data", ""}, {"dup", "first"}, {"dup", "second"}}
	for i := 0; i < 2000; i++ {
		records = append(records, [2]string{"key" + strconv.Itoa(i), strings.Repeat("v", i%7) + strconv.Itoa(i)})
	}
	db, err := memCDB(makeCDB(records)), error(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		want := r[1]
		if r[0] == "dup" {
			want = "first"
		}
		data, found, err := db.find(r[0])
		if !found || err != nil || string(data) != want {
			t.Errorf("find(%q) = %q, %v, %v; want %q", r[0], data, found, err, want)
		}
	}
	for _, k := range []string{"key2000", "ke", "key1x", "\x00"} {
		if data, found, err := db.find(k); found || err != nil {
			t.Errorf("find(%q) = %q, %v, %v; want not found", k, data, found, err)
		}
	}
	empty, err := memCDB(makeCDB(nil)), error(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, found, err := empty.find(""); found || err != nil {
		t.Errorf("find in an empty cdb: %v, %v", found, err)
	}
}

// memCDB is a database held in memory.
func memCDB(data []byte) cdb {
	db, err := newCDB(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err) // a bytes.Reader does not fail
	}
	return db
}

// TestCDBCorrupt: what a lookup reads past the end of the file is an
// error that says so; a record whose key length differs from the key's
// is passed over unread, as tcpserver passes it over.
func TestCDBCorrupt(t *testing.T) {
	good := makeCDB([][2]string{{"127.0.0.1", "D\x00"}, {"", "+X=1\x00"}})
	hOne := cdbHash("127.0.0.1")
	table := 8 * (hOne & 255)
	tablePos := binary.LittleEndian.Uint32(good[table:])
	// The slot of 127.0.0.1 in its table of 2 slots.
	slot := tablePos + 8*((hOne>>8)%2)
	put := func(b []byte, off, v uint32) []byte {
		b = append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	size := strconv.Itoa(len(good))
	cases := []struct {
		name string
		data []byte
		want string // in the error, or the rule that decides
	}{
		{"empty", nil, "not a cdb: 0 bytes, shorter than the 2048-byte header"},
		{"slot past the end", put(good, table, uint32(len(good))), "not a cdb: a hash table slot at " + size + " ends past the end of the file, " + size + " bytes"},
		{"slots wrapping", put(put(good, table, 1<<31), table+4, 1<<29), "not a cdb: a hash table slot at "},
		{"record past the end", put(good, slot+4, uint32(len(good))), "not a cdb: a record at " + size + " ends past the end"},
		{"data past the end", put(good, cdbHeaderSize+4, 1000), "not a cdb: a record's data at 2065 ends past the end"},
		{"data too long", put(good, cdbHeaderSize+4, 0xfffffff0), "the data at 2065 is 4294967280 bytes long, more than 1 MiB"},
		{"key longer, past the end", put(good, cdbHeaderSize, 0xffffffff), "rule \"\""},
	}
	for _, c := range cases {
		v, err := decide(memCDB(c.data), "127.0.0.1", "")
		got := "rule " + strconv.Quote(v.rule)
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%s: %s; want %q", c.name, got, c.want)
		}
	}
}

// TestParseRule: tcpserver's reading of a rule's data, which tcprules
// writes as "D\0" for deny, nothing for allow, then "+NAME=VALUE\0" for
// each variable; unknown entries, entries without '=' and bytes after
// the last NUL are passed over.
func TestParseRule(t *testing.T) {
	cases := []struct {
		data string
		deny bool
		env  []ruleVar
	}{
		{"", false, nil},
		{"D\x00", true, nil},
		{"D", false, nil},
		{"+X=a b\x00+RELAYCLIENT=\x00", false, []ruleVar{{"X", "a b"}, {"RELAYCLIENT", ""}}},
		{"+A=b=c\x00+=v\x00+NOEQUALS\x00A\x00\x00+T=trailing", false, []ruleVar{{"A", "b=c"}, {"", "v"}}},
		{"+X=1\x00Dxyz\x00+Y=2\x00", true, nil},
	}
	for _, c := range cases {
		v := parseRule([]byte(c.data))
		if v.deny != c.deny || !equalVars(v.env, c.env) {
			t.Errorf("parseRule(%q) = %v %q; want %v %q", c.data, v.deny, v.env, c.deny, c.env)
		}
	}
}

func equalVars(a, b []ruleVar) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestDecideKeyOrder: the address, then its prefixes ending with a dot,
// longest first, then the empty key; a rule for a name or a user never
// matches.
func TestDecideKeyOrder(t *testing.T) {
	db := memCDB(makeCDB([][2]string{
		{"10.1.2.3", "+R=ip\x00"}, {"10.1.2.", "+R=3\x00"}, {"10.1.", "+R=2\x00"}, {"10.", "D\x00"},
		{"=10.9.9.9", "+R=host\x00"}, {"x@10.9.9.9", "+R=info\x00"}, {"=", "+R=eq\x00"},
		{"::ffff:10.1.", "+R=mapped\x00"}, {"::1", "+R=v6\x00"}, {"", "+R=default\x00"},
	}))
	cases := []struct{ ip, rule, r string }{
		{"10.1.2.3", "10.1.2.3", "ip"}, {"10.1.2.4", "10.1.2.", "3"}, {"10.1.3.3", "10.1.", "2"},
		{"10.9.9.9", "10.", ""}, {"11.0.0.1", "", "default"}, {"::ffff:10.1.2.3", "::ffff:10.1.", "mapped"},
		{"::1", "::1", "v6"}, {"::2", "", "default"}, {"", "", "default"},
	}
	for _, c := range cases {
		v, err := decide(db, c.ip, "")
		r := ""
		if len(v.env) > 0 {
			r = v.env[0].value
		}
		if err != nil || !v.found || v.rule != c.rule || r != c.r || v.deny != (c.r == "") {
			t.Errorf("decide(%q) = %+v, %v; want rule %q, R=%q", c.ip, v, err, c.rule, c.r)
		}
	}
}

// appendUint32 is Go 1.19's binary.LittleEndian.AppendUint32, which
// gccgo 12's library lacks.
func appendUint32(b []byte, v uint32) []byte {
	var w [4]byte
	binary.LittleEndian.PutUint32(w[:], v)
	return append(b, w[:]...)
}
