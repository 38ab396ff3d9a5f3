//go:build linux

package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sbinDirs hold system programs (lighttpd, ip, setcap) that an ordinary
// user's PATH leaves out, though the user may run them.
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// findProgram looks for name on PATH, then in the sbin directories.
func findProgram(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range sbinDirs {
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", errors.New(name + " is not on PATH nor in " + strings.Join(sbinDirs, ", "))
}

// systemProgram is findProgram's answer, or a skip that names the Debian
// package to install.
func systemProgram(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := findProgram(name)
	if err != nil {
		t.Skipf("%s is not installed: %v (Debian package %s; .ci/run installs it)", name, err, debianPackage)
	}
	return p
}
