//go:build linux

package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// Build is a command for Main to build before the tests run: the package
// in Dir, relative to the test's directory, as the binary Name, whose
// path is stored in *Path.
type Build struct {
	Dir, Name string
	Path      *string
}

// Main is a command's TestMain. Started as a launcher (PROBE_LAUNCH), in
// one of modes (the name of an environment variable, and what runs with
// its value, returning the exit status) or as the probe (PROBE_OUT, or
// PROBE_DIR as a server's child: see connProbe), the
// test binary plays that part and exits; otherwise it builds the
// commands and runs the tests.
func Main(m *testing.M, modes map[string]func(value string) int, builds ...Build) {
	if how := os.Getenv("PROBE_LAUNCH"); how != "" {
		launcher(how)
	}
	for name, mode := range modes {
		if v := os.Getenv(name); v != "" {
			os.Exit(mode(v))
		}
	}
	if dir := os.Getenv("PROBE_DIR"); dir != "" {
		os.Exit(connProbe(dir, os.Getenv("PROBE_MODE")))
	}
	if out := os.Getenv("PROBE_OUT"); out != "" {
		os.Exit(probe(out))
	}
	os.Exit(buildThenTest(m, builds))
}

func buildThenTest(m *testing.M, builds []Build) int {
	// Whatever this process inherited beyond 0-2 must not reach the
	// processes it starts, whose descriptors the tests count.
	for fd := range InheritedFDs() {
		if fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
	dir, err := os.MkdirTemp("", "tsl-test-")
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	defer os.RemoveAll(dir)
	// Tests that drop to another user run the binary from here.
	if err := os.Chmod(dir, 0o755); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 2
	}
	from := os.Getenv("TEST_BIN_DIR")
	for _, b := range builds {
		*b.Path = filepath.Join(dir, b.Name)
		if from != "" {
			if err := CopyBinary(filepath.Join(from, b.Name), *b.Path); err != nil {
				os.Stderr.WriteString("TEST_BIN_DIR: " + err.Error() + "\n")
				return 2
			}
			continue
		}
		build := exec.Command(Go(), "build", "-trimpath", "-o", *b.Path, b.Dir)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			os.Stderr.Write(out)
			return 2
		}
	}
	if from != "" {
		os.Stderr.WriteString("testing the binaries in " + from + ", built by " + Toolchain(*builds[0].Path).String() + "\n")
	}
	return m.Run()
}

// Go is the go command that builds what the tests run: $GO, as make
// passes it (make test GO=/usr/lib/go-1.19/bin/go), or else the go
// command found in PATH.
func Go() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

// CopyBinary copies the executable from to to, mode 0755.
func CopyBinary(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
