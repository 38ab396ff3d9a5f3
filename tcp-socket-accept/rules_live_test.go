//go:build linux

package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The -x file while the server runs: replaced, unusable, and a flood of
// the clients it denies.

// ruleVarOf connects from src and returns the value the child got for
// name, or "denied" if the connection was closed at once.
func (s *running) ruleVarOf(src, addr, name string) string {
	s.t.Helper()
	c := dialFrom(s.t, src, addr)
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if line == "" && err != nil {
		return "denied"
	}
	v, ok := testkit.GetenvIn(s.readReport(portOf(c.LocalAddr())).Raw, name)
	if !ok {
		return "unset"
	}
	return v
}

// rulesFDs lists where the server's descriptors that name the rules
// file point.
func rulesFDs(t *testing.T, pid int, cdb string) []string {
	t.Helper()
	dir := "/proc/" + strconv.Itoa(pid) + "/fd/"
	ents, _ := os.ReadDir(dir)
	var links []string
	for _, e := range ents {
		if l, _ := os.Readlink(dir + e.Name()); strings.HasPrefix(l, cdb) {
			links = append(links, l)
		}
	}
	return links
}

// TestRulesFileReplaced: tcprules renames new rules over the file, 30
// times in a row, each of the same size but for the denials: every next
// connection follows the new rules, and the server holds the current
// file alone, none of the replaced ones.
func TestRulesFileReplaced(t *testing.T) {
	dir := t.TempDir()
	cdb := compileRules(t, dir, "rules.cdb", "127.0.0.1:allow,GEN=\"start\"\n")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-x", cdb), files: []*os.File{l}})
	if got := s.ruleVarOf("127.0.0.1", addr, "GEN"); got != "start" {
		t.Fatalf("GEN=%s; want start", got)
	}
	for i := 0; i < 30; i++ {
		rules, want := "127.0.0.1:allow,GEN=\""+strconv.Itoa(i%10)+"\"\n", strconv.Itoa(i%10)
		if i%7 == 6 {
			rules, want = "127.0.0.1:deny\n", "denied"
		}
		compileRules(t, dir, "rules.cdb", rules)
		if got := s.ruleVarOf("127.0.0.1", addr, "GEN"); got != want {
			t.Fatalf("replacement %d: GEN=%s; want %s; stderr:\n%s", i, got, want, s.log())
		}
	}
	if fds := rulesFDs(t, s.proc.Pid, cdb); len(fds) != 1 || fds[0] != cdb {
		t.Errorf("the server's descriptors for the rules: %q; want the current file alone", fds)
	}
}

// TestRulesFileEditedInPlace: a file rewritten in place, the same size,
// with its old modification time set back (as cp -p or rsync -t do), is
// still noticed, by its change time.
func TestRulesFileEditedInPlace(t *testing.T) {
	dir := t.TempDir()
	one, err := os.ReadFile(compileRules(t, dir, "one.cdb", "127.0.0.1:allow,GEN=\"1\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	two, err := os.ReadFile(compileRules(t, dir, "two.cdb", "127.0.0.1:allow,GEN=\"2\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	cdb := filepath.Join(dir, "rules.cdb")
	if err := os.WriteFile(cdb, one, 0o644); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(cdb)
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-x", cdb), files: []*os.File{l}})
	if got := s.ruleVarOf("127.0.0.1", addr, "GEN"); got != "1" {
		t.Fatalf("GEN=%s; want 1", got)
	}
	// Past the file system's clock tick, so that the change time moves.
	time.Sleep(20 * time.Millisecond)
	if err := os.WriteFile(cdb, two, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(cdb, st.ModTime(), st.ModTime())
	if got := s.ruleVarOf("127.0.0.1", addr, "GEN"); got != "2" {
		t.Errorf("after the edit in place: GEN=%s; want 2", got)
	}
}

// unusableRules are files that cannot be used, made at path, and the
// reason the ERROR line gives, or how it ends.
func unusableRules(t *testing.T, dir string) []struct {
	name   string
	make   func(path string) error
	reason string
} {
	good, err := os.ReadFile(compileRules(t, dir, "good.cdb", "127.0.0.1:allow,X=\"1\"\n:deny\n"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(data []byte) func(string) error {
		return func(p string) error { return os.WriteFile(p, data, 0o644) }
	}
	// The record of 127.0.0.1 moved past the end, in its slot.
	h := cdbHash("127.0.0.1")
	pos, slots := binary.LittleEndian.Uint32(good[8*(h&255):]), binary.LittleEndian.Uint32(good[8*(h&255)+4:])
	bad := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(bad[pos+8*((h>>8)%slots)+4:], 1<<24)
	return []struct {
		name   string
		make   func(path string) error
		reason string
	}{
		{"missing", func(string) error { return nil }, "no such file or directory"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }, "not a regular file"},
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o644) }, "not a regular file"},
		{"not a cdb", write([]byte("127.:allow\n")), "not a cdb: 11 bytes, shorter than the 2048-byte header"},
		{"truncated in the slots", write(good[:pos+4]), "not a cdb: a hash table slot at " + strconv.Itoa(int(pos+8*((h>>8)%slots))) + " ends past the end of the file, " + strconv.Itoa(int(pos+4)) + " bytes"},
		{"record out of range", write(bad), "not a cdb: a record at 16777216 ends past the end of the file, " + strconv.Itoa(len(good)) + " bytes"},
	}
}

// TestRulesFileUnusable: while the file is missing, a directory, a FIFO,
// not a cdb, truncated, or points out of itself, each connection is
// closed at once, with one ERROR line naming the file and the reason,
// and no child; the server goes on, and follows the file once it is
// good again. With -X a missing file allows, and only that.
func TestRulesFileUnusable(t *testing.T) {
	for _, optional := range []bool{false, true} {
		t.Run("-X="+strconv.FormatBool(optional), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "rules.cdb")
			args := []string{"-x", path}
			if optional {
				args = append(args, "-X")
			}
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: accept(args...), files: []*os.File{l}})
			for _, c := range unusableRules(t, dir) {
				os.RemoveAll(path)
				if err := c.make(path); err != nil {
					t.Fatal(err)
				}
				before := len(s.log())
				cl := dialFrom(t, "127.0.0.1", addr)
				port := portOf(cl.LocalAddr())
				if optional && c.name == "missing" {
					if got := s.ruleVarOf("127.0.0.1", addr, "X"); got != "unset" {
						t.Errorf("-X, missing file: X=%s; want a child, without X", got)
					}
					cl.Close()
					continue
				}
				if !closedAtOnce(t, cl) {
					t.Errorf("%s: the connection was not closed at once", c.name)
				}
				cl.Close()
				want := "tcp-socket-accept: ERROR: dropping connection from 127.0.0.1 " + port + ", unable to read " + path + ": "
				s.waitLog(regexp.QuoteMeta(want) + `.*` + regexp.QuoteMeta(c.reason) + `\n`)
				if got := s.log()[before:]; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, c.reason+"\n") || strings.Count(got, "\n") != 1 {
					t.Errorf("%s: stderr %q; want the one line %q...%q", c.name, got, want, c.reason)
				}
				os.RemoveAll(path)
				compileRules(t, dir, "rules.cdb", "127.0.0.1:allow,X=\"good again\"\n")
				if got := s.ruleVarOf("127.0.0.1", addr, "X"); got != "good again" {
					t.Errorf("after %s, with the file good again: X=%s; stderr:\n%s", c.name, got, s.log())
				}
			}
		})
	}
}

// TestRulesFileUnreadable: a file the server may not read (it runs as
// daemon) drops each connection with the reason, permission denied.
func TestRulesFileUnreadable(t *testing.T) {
	setpriv := testkit.SystemProgram(t, "setpriv", "util-linux")
	if os.Geteuid() != 0 {
		t.Skip("needs root, to run the server as another user")
	}
	dir := t.TempDir()
	for d := dir; len(d) > len(os.TempDir()); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // daemon may reach the file, not read it
	}
	cdb := compileRules(t, dir, "rules.cdb", ":allow\n")
	os.Chmod(cdb, 0o600)
	l, addr := listener(t, "127.0.0.1", -1)
	argv := []string{setpriv, "--reuid=daemon", "--regid=daemon", "--clear-groups", tsaBinary, "-x", cdb, "/bin/echo", "served"}
	s := start(t, serverSpec{argv: argv, files: []*os.File{l}})
	c := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	if !closedAtOnce(t, c) {
		t.Error("the connection was not closed at once")
	}
	s.waitLog(`^tcp-socket-accept: ERROR: dropping connection from 127\.0\.0\.1 ` + portOf(c.LocalAddr()) + `, unable to read ` + regexp.QuoteMeta(cdb) + `: permission denied\n$`)
	os.Chmod(cdb, 0o644)
	if got := served(t, addr); got != "served\n" {
		t.Errorf("once readable, the client got %q; stderr:\n%s", got, s.log())
	}
}

// TestRulesFileHuge: a rules file of 1 GiB (tcprules' output, then a
// hole) is not read whole: the server's peak resident set stays that of
// a small file, a few MB, where reading it would take a gigabyte, and
// its rules still decide.
func TestRulesFileHuge(t *testing.T) {
	dir := t.TempDir()
	path := compileRules(t, dir, "rules.cdb", "127.0.0.1:allow,X=\"huge\"\n:deny\n")
	if err := os.Truncate(path, 1<<30); err != nil {
		t.Fatal(err)
	}
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-x", path), files: []*os.File{l}})
	for i := 0; i < 10; i++ {
		if got := s.ruleVarOf("127.0.0.1", addr, "X"); got != "huge" {
			t.Fatalf("X=%s; want huge; stderr:\n%s", got, s.log())
		}
	}
	data, err := os.ReadFile("/proc/" + strconv.Itoa(s.proc.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := testkit.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			t.Logf("peak resident set with a 1 GiB rules file: %d kB", kb)
			if kb == 0 || kb > 32<<10 {
				t.Errorf("peak resident set %d kB; want at most 32 MB", kb)
			}
			return
		}
	}
	t.Fatal("no VmHWM line")
}
