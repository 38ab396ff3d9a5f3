//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Where this program and the C original part ways on the command line,
// kept on purpose and listed in the README.

func TestLoneDashIsTheHost(t *testing.T) {
	// The C original skips "-" as an empty option cluster and would take
	// 0 for the host here.
	fails(t, launch{argv: tsl("-H", "-", "0")}.run(t), "- 0: not a numeric IP address")
}

func TestHelpBeforeALaterMistake(t *testing.T) {
	// The C original prints the help, then fails on x.
	for _, arg := range []string{"-?x", "-H?x", "-?b"} {
		res := launch{argv: tsl(arg, "127.0.0.1", "0")}.run(t)
		if res.exit != 0 || res.r != nil || !strings.HasPrefix(res.stdout, wantUsage+"Options:\n") || res.stderr != "" {
			t.Errorf("%s: exit %d, probe ran %v, stdout %q, stderr %q; want the help and exit 0", arg, res.exit, res.r != nil, res.stdout, res.stderr)
		}
	}
}

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
	if err := os.Symlink(probePath(), filepath.Join(good, "prog")); err != nil {
		t.Fatal(err)
	}
	r := launch{argv: []string{tslBinary, "127.0.0.1", "0", "prog"}, path: file + ":" + good}.probed(t)
	socketAt(t, r, 3)
	fails(t, launch{argv: []string{tslBinary, "127.0.0.1", "0", "prog"}, path: file}.run(t), "prog: not a directory")
}

func TestHelpExactly(t *testing.T) {
	// The binary prints the same, named by argv[0]'s base name.
	for arg, want := range map[string]string{"--help": wantHelp, "-?": wantHelp, "--usage": wantUsage} {
		res := launch{argv: tsl(arg)}.run(t)
		if res.exit != 0 || res.stdout != want || res.stderr != "" {
			t.Errorf("%s: exit %d, stdout\n%s\nstderr %q", arg, res.exit, res.stdout, res.stderr)
		}
	}
}
