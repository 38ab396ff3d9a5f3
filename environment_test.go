//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// The environment byte for byte: what next-prog finds in
// /proc/self/environ, which a Go probe's os.Environ would tidy up.

// oddEnv has what os.Environ would hide: repeated names, empty entries,
// entries without '=', bytes that are not UTF-8.
var oddEnv = []string{"", "DUP=1", "NOEQUALS", "DUP=2", "BYTES=\xff\xfe\x80", "EMPTY=", "=nameless", "DUP=1", "", "NOEQUALS"}

func TestRepeatedVariablesChangedInPlace(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	env := append([]string{"PROBE_LAUNCH=own-pid", "PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report,
		"LISTEN_FDS=2", "LISTEN_PID=@pid", "UPSTART_FDS=9"}, oddEnv...)
	env = append(env, "LISTEN_FDS=5", "LISTEN_PID=1", "UPSTART_FDS=8", "LISTEN_FDS")
	argv := append([]string{testkit.ProbePath()}, tsl("--systemd-compatibility", "--upstart-compatibility", "127.0.0.1", "0")...)
	res := testkit.Exact{Argv: argv, Env: env, Dir: dir, Out: report}.Run(t)
	if res.Report == nil {
		t.Fatalf("probe did not run; exit %d: %s", res.Exit, res.Stderr)
	}
	// The first LISTEN_PID and LISTEN_FDS count, as getenv(3) reads them:
	// two passed on, the socket on 5. Every entry of a variable set is
	// changed where it stands; the rest is as given.
	testkit.SocketAt(t, res.Report, 5)
	pid := strconv.Itoa(res.Pid)
	want := append([]string{"PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report, "LISTEN_FDS=3", "LISTEN_PID=" + pid, "UPSTART_FDS=5"}, oddEnv...)
	want = append(want, "LISTEN_FDS=3", "LISTEN_PID="+pid, "UPSTART_FDS=5", "LISTEN_FDS", "UPSTART_EVENTS=socket")
	if !reflect.DeepEqual(res.Report.Raw, want) {
		t.Errorf("next-prog's environment\n%q\nwant\n%q", res.Report.Raw, want)
	}
}

func TestRestartKeepsEnvironment(t *testing.T) {
	// A non-blocking standard input puts the runtime's poller on 3, and
	// tcp-socket-listen execs itself afresh (TestNonblockingStdin): with
	// the environment it was given, not the runtime's.
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	stdin, _ := testkit.Pipe(t)
	env := append([]string{"PROBE_LAUNCH=nonblocking-stdin", "PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report}, oddEnv...)
	argv := append([]string{testkit.ProbePath()}, tsl("127.0.0.1", "0")...)
	res := testkit.Exact{Argv: argv, Env: env, Dir: dir, Out: report, Stdin: stdin}.Run(t)
	if res.Report == nil {
		t.Fatalf("probe did not run; exit %d: %s", res.Exit, res.Stderr)
	}
	testkit.SocketAt(t, res.Report, 3)
	if want := env[1:]; !reflect.DeepEqual(res.Report.Raw, want) {
		t.Errorf("next-prog's environment\n%q\nwant\n%q", res.Report.Raw, want)
	}
}

func TestEnvironmentWithoutProc(t *testing.T) {
	// Without /proc the environment is what the runtime gives: the first
	// entry of each name, no empty entries. next-prog is env(1), which
	// prints its environment as it is, since the probe needs /proc.
	sandbox(t, "") // or skip, saying why: a private mount namespace needs root
	env := append([]string{"PROBE_LAUNCH=no-proc", "PATH=" + os.Getenv("PATH")}, oddEnv...)
	argv := []string{testkit.ProbePath(), tslBinary, "--systemd-compatibility", "127.0.0.1", "0", "/usr/bin/env", "-0"}
	res := testkit.Exact{Argv: argv, Env: env, Sys: &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}}.Run(t)
	if res.Exit != 0 {
		t.Fatalf("exit %d: %s", res.Exit, res.Stderr)
	}
	want := []string{"PATH=" + os.Getenv("PATH"), "DUP=1", "NOEQUALS", "BYTES=\xff\xfe\x80", "EMPTY=", "=nameless", "NOEQUALS",
		"LISTEN_FDS=1", "LISTEN_PID=" + strconv.Itoa(res.Pid)}
	if got := strings.Split(strings.TrimSuffix(res.Stdout, "\x00"), "\x00"); !reflect.DeepEqual(got, want) {
		t.Errorf("next-prog's environment without /proc\n%q\nwant\n%q", got, want)
	}
}

// TestFileCapabilities runs a copy of tcp-socket-listen with
// cap_net_bind_service, as an unprivileged user binds port 80 with it. The
// runtime's secure mode then adds GOTRACEBACK=none to what it reads, and
// /proc/self/environ belongs to root.
func TestFileCapabilities(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to set file capabilities and to run as uid 65534")
	}
	sandbox(t, "") // or skip, saying why: a private network namespace needs root
	setcap, err := testkit.FindProgram("setcap")
	if err != nil {
		t.Skip("setcap (Debian package libcap2-bin) is not installed")
	}
	dir, err := os.MkdirTemp("", "tsl-caps-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// MkdirTemp makes 0700, and Mkdir applies the umask.
	outDir, plainDir := filepath.Join(dir, "out"), filepath.Join(dir, "plain")
	for d, mode := range map[string]os.FileMode{dir: 0o755, outDir: 0o777, plainDir: 0o755} {
		if err := os.MkdirAll(d, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
	}
	capable := copyExecutable(t, tslBinary, filepath.Join(dir, "tcp-socket-listen"))
	plain := copyExecutable(t, tslBinary, filepath.Join(plainDir, "tcp-socket-listen"))
	probe := copyExecutable(t, testkit.ProbePath(), filepath.Join(dir, "probe"))
	if out, err := exec.Command(setcap, "cap_net_bind_service=+ep", capable).CombinedOutput(); err != nil {
		t.Skipf("setcap on %s: %v: %s", capable, err, out)
	}
	report := filepath.Join(outDir, "report")
	nobody := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET, // port 80 is free, and privileged, in a network namespace of its own
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
	}
	run := func(bin string, env []string) testkit.Result {
		os.Remove(report)
		return testkit.Exact{Argv: []string{bin, "--systemd-compatibility", "0.0.0.0", "80", probe}, Env: env, Dir: dir, Out: report, Sys: nobody}.Run(t)
	}
	base := append([]string{"PATH=/usr/bin:/bin", "PROBE_OUT=" + report, "LISTEN_FDS=7"}, oddEnv...)
	base = append(base, "LISTEN_FDS=8")

	// Without the capability, port 80 is refused: the capability is what
	// lets the other copy bind it.
	fails(t, run(plain, base), "bind 0.0.0.0 port 80: permission denied")

	for _, extra := range []string{"", "GOTRACEBACK=single"} {
		env := base
		if extra != "" {
			env = append(append([]string{}, base...), extra)
		}
		res := run(capable, env)
		if res.Report == nil {
			t.Fatalf("%s: probe did not run; exit %d: %s", extra, res.Exit, res.Stderr)
		}
		if s := testkit.SocketAt(t, res.Report, 3); s.Addr.String() != "0.0.0.0:80" {
			t.Errorf("socket at %v; want 0.0.0.0:80", s.Addr)
		}
		want := append([]string{}, env...)
		want[2], want[len(base)-1] = "LISTEN_FDS=1", "LISTEN_FDS=1"
		want = append(want, "LISTEN_PID="+strconv.Itoa(res.Pid))
		if !reflect.DeepEqual(res.Report.Raw, want) {
			t.Errorf("next-prog's environment\n%q\nwant\n%q", res.Report.Raw, want)
		}
	}
}

// copyExecutable copies the file from to to, mode 0755.
func copyExecutable(t *testing.T, from, to string) string {
	t.Helper()
	if err := testkit.CopyBinary(from, to); err != nil {
		t.Fatal(err)
	}
	return to
}
