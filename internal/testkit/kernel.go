//go:build linux

package testkit

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Start runs argv from the launcher state with exactly env (no
// deduplication, unlike os/exec), files as descriptors 0, 1, 2, ..., in
// dir, and waits.
func Start(t *testing.T, argv, env []string, files []*os.File, dir string) (pid int) {
	t.Helper()
	launcherArgv := append([]string{ProbePath()}, argv...)
	p, err := os.StartProcess(launcherArgv[0], launcherArgv, &os.ProcAttr{
		Dir: dir, Env: append([]string{"PROBE_LAUNCH=state"}, env...), Files: files,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.Wait()
	if err != nil || !st.Success() {
		t.Fatalf("%q: %v %v", argv, st, err)
	}
	return p.Pid
}

// KernelState is what /proc says of a process that is not Go.
type KernelState struct {
	Umask, SigBlk, SigIgn, Nofile string
	FDs                           map[string]string
}

// ReadKernelState starts `cat /proc/self/status /proc/self/limits` and
// `ls -l /proc/self/fd`, which, unlike a Go probe, leave the signals
// they inherit alone.
func ReadKernelState(t *testing.T, prefix, env []string, files []*os.File, dir string) KernelState {
	t.Helper()
	out := File(t, filepath.Join(t.TempDir(), "state"), os.Create)
	withOut := append([]*os.File{files[0], out}, files[2:]...)
	Start(t, append(append([]string{}, prefix...), "/bin/cat", "/proc/self/status", "/proc/self/limits"), env, withOut, dir)
	data, _ := os.ReadFile(out.Name())
	var k KernelState
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Umask:":
			k.Umask = f[1]
		case len(f) == 2 && f[0] == "SigBlk:":
			k.SigBlk = f[1]
		case len(f) == 2 && f[0] == "SigIgn:":
			k.SigIgn = f[1]
		case strings.HasPrefix(line, "Max open files"):
			k.Nofile = f[3] + " " + f[4]
		}
	}
	out.Truncate(0)
	out.Seek(0, 0)
	Start(t, append(append([]string{}, prefix...), "/bin/ls", "-l", "/proc/self/fd/"), env, withOut, dir)
	data, _ = os.ReadFile(out.Name())
	k.FDs = map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 11 && f[9] == "->" {
			k.FDs[f[8]] = f[10]
		}
	}
	return k
}

// MaskOf reads a /proc/PID/status mask and keeps the bits of sigs.
func MaskOf(t *testing.T, mask string, sigs []syscall.Signal) uint64 {
	t.Helper()
	m, err := strconv.ParseUint(mask, 16, 64)
	if err != nil {
		t.Fatalf("signal mask %q: %v", mask, err)
	}
	return m & Sigset(sigs)
}
