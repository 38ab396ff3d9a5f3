//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestPathElementThatIsAFile(t *testing.T) {
	// execvp(3) passes over an element that is not a directory (ENOTDIR);
	// the C original stops there with "Not a directory".
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good")
	if err := os.Mkdir(good, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testkit.ProbePath(), filepath.Join(good, "prog")); err != nil {
		t.Fatal(err)
	}
	r := testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", "prog"}, Path: file + ":" + good}.Probed(t)
	testkit.SocketAt(t, r, 3)
	fails(t, testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", "prog"}, Path: file}.Run(t), "prog: not a directory")
}

func TestExecErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noexec := write("noexec/prog", "#!/bin/sh\n", 0o644)
	garbage := write("garbage/prog", "not a program\n", 0o755)
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good")
	if err := os.MkdirAll(good, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(testkit.ProbePath(), filepath.Join(good, "prog")); err != nil {
		t.Fatal(err)
	}
	run := func(path, name string) testkit.Result {
		return testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", name}, Dir: dir, Path: path}.Run(t)
	}
	d := func(names ...string) string {
		for i, n := range names {
			if n != "" {
				names[i] = filepath.Join(dir, n)
			}
		}
		return strings.Join(names, ":")
	}
	fails(t, run(d("empty"), "no-such-prog"), "no-such-prog: no such file or directory")
	fails(t, run(d("empty"), ""), `"": no such file or directory`)
	fails(t, run(d("noexec", "empty"), "prog"), "prog: permission denied")
	fails(t, run(d("garbage", "good"), "prog"), "prog: exec format error")
	fails(t, run(d("empty"), dir), dir+": permission denied")
	fails(t, run(d("empty"), noexec), noexec+": permission denied")
	fails(t, run(d("empty"), garbage), garbage+": exec format error")
	fails(t, run(d("empty"), filepath.Join(dir, "nothing-here")), filepath.Join(dir, "nothing-here")+": no such file or directory")

	// A permission error is passed over when a later element has it.
	if res := run(d("noexec", "empty", "good"), "prog"); res.Report == nil {
		t.Errorf("PATH noexec:empty:good: probe did not run; %s", res.Stderr)
	}
	// An empty element is the current directory.
	if res := run(d("empty")+"::", "good/prog"); res.Report == nil {
		t.Errorf("relative name with a slash: probe did not run; %s", res.Stderr)
	}
	l := testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", "prog"}, Dir: good, Path: d("empty") + "::" + d("noexec")}
	if res := l.Run(t); res.Report == nil {
		t.Errorf("empty PATH element: probe did not run; %s", res.Stderr)
	}
	// With PATH unset, execvp searches /bin:/usr/bin.
	l = testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", "sh", "-c", "echo found"}, UnsetPath: true}
	if res := l.Run(t); res.Stdout != "found\n" {
		t.Errorf("PATH unset: stdout %q, stderr %q; want sh found in /bin:/usr/bin", res.Stdout, res.Stderr)
	}
	t.Run("in process", execNextErrors)
}

// execNextErrors checks what execNext says when nothing can run: the
// name, quoted where it must be, and the search's error. (A run that
// works replaces the test binary; the runs above cover that.)
func execNextErrors(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
		want string
	}{
		{"no-such-prog", []string{"PATH=" + dir}, "no-such-prog: no such file or directory"},
		{"noexec", []string{"PATH=/nonexistent:" + dir}, "noexec: permission denied"},
		{"", []string{"PATH=" + dir}, `"": no such file or directory`},
		{"two words", []string{"PATH=" + dir}, `"two words": no such file or directory`},
		{noexec, nil, noexec + ": permission denied"},
	} {
		if err := execNext(c.name, []string{c.name}, c.env); err == nil || err.Error() != c.want {
			t.Errorf("execNext(%q) with %q: %v; want %s", c.name, c.env, err, c.want)
		}
	}
}
