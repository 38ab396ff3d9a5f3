//go:build linux

package testkit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Exact is a run with exactly the environment given: os/exec would drop
// repeated names, and a shell rebuilds the environment from its own
// variables.
type Exact struct {
	Argv, Env []string
	Dir       string
	Out       string // where PROBE_OUT points, if the probe is run
	Sys       *syscall.SysProcAttr
	Stdin     *os.File // /dev/null if nil
}

func (e Exact) Run(t *testing.T) Result {
	t.Helper()
	tmp := t.TempDir()
	stdout := File(t, filepath.Join(tmp, "stdout"), os.Create)
	stderr := File(t, filepath.Join(tmp, "stderr"), os.Create)
	stdin := e.Stdin
	if stdin == nil {
		stdin = File(t, os.DevNull, os.Open)
	}
	p, err := os.StartProcess(e.Argv[0], e.Argv, &os.ProcAttr{
		Dir: e.Dir, Env: e.Env, Files: []*os.File{stdin, stdout, stderr}, Sys: e.Sys,
	})
	if err != nil {
		t.Fatalf("starting %q: %v", e.Argv, err)
	}
	st, err := p.Wait()
	if err != nil {
		t.Fatalf("waiting for %q: %v", e.Argv, err)
	}
	res := Result{Exit: st.ExitCode(), Pid: p.Pid}
	out, _ := os.ReadFile(stdout.Name())
	errs, _ := os.ReadFile(stderr.Name())
	res.Stdout, res.Stderr = string(out), string(errs)
	if _, err := os.Stat(e.Out); e.Out != "" && err == nil {
		res.Report = ReadReport(t, e.Out)
	}
	return res
}
