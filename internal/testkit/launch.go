//go:build linux

package testkit

import (
	"bytes"
	"encoding/gob"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Launch is one run of a command line that may end in the probe.
type Launch struct {
	Argv      []string
	Path      string // PATH, if not the tests' own
	UnsetPath bool
	Env       []string   // besides PATH and PROBE_OUT
	Files     []*os.File // descriptors 3, 4, ... (nil leaves one closed)
	Stdin     *os.File
	Dir       string
	SS        bool // the probe reports ss -ltnH
}

// Result is how a run ended.
type Result struct {
	Report *Report // nil when the probe did not run
	Stdout string
	Stderr string
	Exit   int
	Pid    int // of the process first started
}

func (l Launch) Run(t *testing.T) Result {
	t.Helper()
	out := filepath.Join(t.TempDir(), "report")
	cmd := exec.Command(l.Argv[0], l.Argv[1:]...)
	path := os.Getenv("PATH")
	if l.Path != "" {
		path = l.Path
	}
	cmd.Env = []string{"PATH=" + path}
	if l.UnsetPath {
		cmd.Env = nil
	}
	cmd.Env = append(append(cmd.Env, "PROBE_OUT="+out), l.Env...)
	if l.SS {
		cmd.Env = append(cmd.Env, "PROBE_SS=1")
	}
	cmd.ExtraFiles = l.Files
	cmd.Dir = l.Dir
	if l.Stdin != nil {
		cmd.Stdin = l.Stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process == nil { // it never started: no pid, no status
		t.Fatalf("starting %q: %v", l.Argv, err)
	}
	res := Result{Stdout: stdout.String(), Stderr: stderr.String(), Pid: cmd.Process.Pid}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.Exit = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("running %q: %v", l.Argv, err)
	}
	if _, err := os.Stat(out); err == nil {
		res.Report = ReadReport(t, out)
	}
	return res
}

// ReadReport reads what the probe wrote to path.
func ReadReport(t *testing.T, path string) *Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the probe's report: %v", err)
	}
	r := new(Report)
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(r); err != nil {
		t.Fatalf("reading the probe's report: %v", err)
	}
	return r
}

// Probed runs l and fails the test unless the probe ran and reported.
func (l Launch) Probed(t *testing.T) *Report {
	t.Helper()
	res := l.Run(t)
	if res.Exit != 0 || res.Report == nil {
		t.Fatalf("%q: exit %d, probe ran: %v, stderr:\n%s", l.Argv, res.Exit, res.Report != nil, res.Stderr)
	}
	return res.Report
}

// ProbePath is the probe: this test binary.
func ProbePath() string {
	p, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return p
}

// Fails checks that a run ended as bad input must: one line "PROG:
// FATAL: want", exit status 1, and no exec.
func Fails(t *testing.T, res Result, prog, want string) {
	t.Helper()
	want = prog + ": FATAL: " + want + "\n"
	if res.Exit != 1 || res.Stderr != want || res.Report != nil || res.Stdout != "" {
		t.Errorf("exit %d, probe ran %v\nstderr %q\n  want %q", res.Exit, res.Report != nil, res.Stderr, want)
	}
}
