package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
