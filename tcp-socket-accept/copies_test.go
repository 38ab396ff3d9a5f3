package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// This directory carries generated copies of the top directory's files
// that both commands use (the Makefile's SHARED, written by make copies),
// so that it builds alone. A copy is its source under one header line and
// a blank line, and nothing else.

// copyHeader is the first line of a copy of ../name.
func copyHeader(name string) string {
	return "// Code generated from ../" + name + " by make copies; DO NOT EDIT.\n\n"
}

// TestCopiesMatchSources: each file of SHARED is here as its copy, byte
// for byte but the header, and every file headed as a copy is in SHARED.
func TestCopiesMatchSources(t *testing.T) {
	shared := sharedFiles(t)
	if len(shared) == 0 {
		t.Fatal("the Makefile names no SHARED files")
	}
	for _, name := range shared {
		src, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatalf("the source of a copy: %v", err)
		}
		cp, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v; run make copies", name, err)
			continue
		}
		if string(cp) != copyHeader(name)+string(src) {
			t.Errorf("%s differs from ../%s; run make copies, and edit ../%s, never the copy", name, name, name)
		}
	}
	copies, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range copies {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(b), "// Code generated") && !strings.Contains(" "+strings.Join(shared, " ")+" ", " "+name+" ") {
			t.Errorf("%s is headed as a generated file, but the Makefile's SHARED does not name it", name)
		}
	}
}

// sharedFiles reads SHARED from the Makefile, with its continued lines.
func sharedFiles(t *testing.T) []string {
	mk, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^SHARED :=((?:.*\\\n)*.*)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("no SHARED := in the Makefile")
	}
	return strings.Fields(strings.ReplaceAll(string(m[1]), "\\\n", " "))
}

// TestMakeStopsOnEditedCopy: make, asked to build tcp-socket-accept in a
// copy of the tree where a copy has been edited by hand after its source,
// stops before it builds and says which copy and what to do. (GO=false:
// a build that started would fail without the message.)
func TestMakeStopsOnEditedCopy(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	dir := t.TempDir()
	for _, pattern := range []string{"../Makefile", "../go.mod", "../*.go", "*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			to := filepath.Join(dir, strings.TrimPrefix(f, "../"))
			if !strings.HasPrefix(f, "../") {
				to = filepath.Join(dir, "tcp-socket-accept", f)
			}
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(to, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	edited := filepath.Join(dir, "tcp-socket-accept", "fatal.go")
	f, err := os.OpenFile(edited, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("// edited by hand\n")
	f.Close()
	later := time.Now().Add(time.Minute)
	os.Chtimes(edited, later, later)
	cmd := exec.Command(mk, "GO=false", "tcp-socket-accept/tcp-socket-accept")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "tcp-socket-accept/fatal.go is not a copy of fatal.go: run make copies") {
		t.Errorf("make with an edited copy: %v\n%s", err, out)
	}
}
