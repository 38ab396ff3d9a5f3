//go:build linux

package testkit

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Pipe is a pipe closed when the test ends: its read end, and where
// /proc/self/fd shows that pointing.
func Pipe(t *testing.T) (*os.File, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	link, _ := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(r.Fd())))
	return r, link
}

// File opens path with open (os.Create or os.Open), closed when the
// test ends.
func File(t *testing.T, path string, open func(string) (*os.File, error)) *os.File {
	t.Helper()
	f, err := open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// FreePort is a loopback port that nothing listens on just now.
func FreePort(t *testing.T) string {
	return FreePortOn(t, "127.0.0.1")
}

// FreePortOn is a port on host that nothing listens on just now.
func FreePortOn(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// sbinDirs hold system programs (lighttpd, ip, setcap) that an ordinary
// user's PATH leaves out, though the user may run them.
var sbinDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// FindProgram looks for name on PATH, then in the sbin directories.
func FindProgram(name string) (string, error) {
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

// SystemProgram is FindProgram's answer, or a skip that names the Debian
// package to install.
func SystemProgram(t *testing.T, name, debianPackage string) string {
	t.Helper()
	p, err := FindProgram(name)
	if err != nil {
		t.Skipf("%s is not installed: %v (Debian package %s; .ci/run installs it)", name, err, debianPackage)
	}
	return p
}
