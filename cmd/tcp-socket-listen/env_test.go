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
)

// The environment byte for byte: what next-prog finds in
// /proc/self/environ, which a Go probe's os.Environ would tidy up.

// withOwnPid gives every entry "NAME=@pid" the launcher's pid, which
// tcp-socket-listen will run as.
func withOwnPid(env []string) []string {
	for i, kv := range env {
		if name, value, ok := strings.Cut(kv, "="); ok && value == "@pid" {
			env[i] = name + "=" + strconv.Itoa(os.Getpid())
		}
	}
	return env
}

// launcherNoProc unmounts /proc in the mount namespace that the test
// made for the launcher, kept from the rest of the machine first.
func launcherNoProc() {
	if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		panic(err)
	}
	if err := syscall.Unmount("/proc", syscall.MNT_DETACH); err != nil {
		panic(err)
	}
}

// exact is a run with exactly the environment given: os/exec would drop
// repeated names, and a shell rebuilds the environment from its own
// variables.
type exact struct {
	argv, env []string
	dir       string
	report    string // where PROBE_OUT points, if the probe is run
	sys       *syscall.SysProcAttr
	stdin     *os.File // /dev/null if nil
}

func (e exact) run(t *testing.T) result {
	t.Helper()
	tmp := t.TempDir()
	stdout := testFile(t, filepath.Join(tmp, "stdout"), os.Create)
	stderr := testFile(t, filepath.Join(tmp, "stderr"), os.Create)
	stdin := e.stdin
	if stdin == nil {
		stdin = testFile(t, os.DevNull, os.Open)
	}
	p, err := os.StartProcess(e.argv[0], e.argv, &os.ProcAttr{
		Dir: e.dir, Env: e.env, Files: []*os.File{stdin, stdout, stderr}, Sys: e.sys,
	})
	if err != nil {
		t.Fatalf("starting %q: %v", e.argv, err)
	}
	st, err := p.Wait()
	if err != nil {
		t.Fatalf("waiting for %q: %v", e.argv, err)
	}
	res := result{exit: st.ExitCode(), pid: p.Pid}
	out, _ := os.ReadFile(stdout.Name())
	errs, _ := os.ReadFile(stderr.Name())
	res.stdout, res.stderr = string(out), string(errs)
	if _, err := os.Stat(e.report); e.report != "" && err == nil {
		res.r = readReport(t, e.report)
	}
	return res
}

// oddEnv has what os.Environ would hide: repeated names, empty entries,
// entries without '=', bytes that are not UTF-8.
var oddEnv = []string{"", "DUP=1", "NOEQUALS", "DUP=2", "BYTES=\xff\xfe\x80", "EMPTY=", "=nameless", "DUP=1", "", "NOEQUALS"}

func TestRepeatedVariablesChangedInPlace(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	env := append([]string{"PROBE_LAUNCH=own-pid", "PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report,
		"LISTEN_FDS=2", "LISTEN_PID=@pid", "UPSTART_FDS=9"}, oddEnv...)
	env = append(env, "LISTEN_FDS=5", "LISTEN_PID=1", "UPSTART_FDS=8", "LISTEN_FDS")
	argv := append([]string{probePath()}, tsl("--systemd-compatibility", "--upstart-compatibility", "127.0.0.1", "0")...)
	res := exact{argv: argv, env: env, dir: dir, report: report}.run(t)
	if res.r == nil {
		t.Fatalf("probe did not run; exit %d: %s", res.exit, res.stderr)
	}
	// The first LISTEN_PID and LISTEN_FDS count, as getenv(3) reads them:
	// two passed on, the socket on 5. Every entry of a variable set is
	// changed where it stands; the rest is as given.
	socketAt(t, res.r, 5)
	pid := strconv.Itoa(res.pid)
	want := append([]string{"PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report, "LISTEN_FDS=3", "LISTEN_PID=" + pid, "UPSTART_FDS=5"}, oddEnv...)
	want = append(want, "LISTEN_FDS=3", "LISTEN_PID="+pid, "UPSTART_FDS=5", "LISTEN_FDS", "UPSTART_EVENTS=socket")
	if !reflect.DeepEqual(res.r.Raw, want) {
		t.Errorf("next-prog's environment\n%q\nwant\n%q", res.r.Raw, want)
	}
}

func TestRestartKeepsEnvironment(t *testing.T) {
	// A non-blocking standard input puts the runtime's poller on 3, and
	// tcp-socket-listen execs itself afresh (TestNonblockingStdin): with
	// the environment it was given, not the runtime's.
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	stdin, _ := testPipe(t)
	env := append([]string{"PROBE_LAUNCH=nonblocking-stdin", "PATH=" + os.Getenv("PATH"), "PROBE_OUT=" + report}, oddEnv...)
	argv := append([]string{probePath()}, tsl("127.0.0.1", "0")...)
	res := exact{argv: argv, env: env, dir: dir, report: report, stdin: stdin}.run(t)
	if res.r == nil {
		t.Fatalf("probe did not run; exit %d: %s", res.exit, res.stderr)
	}
	socketAt(t, res.r, 3)
	if want := env[1:]; !reflect.DeepEqual(res.r.Raw, want) {
		t.Errorf("next-prog's environment\n%q\nwant\n%q", res.r.Raw, want)
	}
}

func TestEnvironmentWithoutProc(t *testing.T) {
	// Without /proc the environment is what the runtime gives: the first
	// entry of each name, no empty entries. next-prog is env(1), which
	// prints its environment as it is, since the probe needs /proc.
	sandbox(t, "") // or skip, saying why: a private mount namespace needs root
	env := append([]string{"PROBE_LAUNCH=no-proc", "PATH=" + os.Getenv("PATH")}, oddEnv...)
	argv := []string{probePath(), tslBinary, "--systemd-compatibility", "127.0.0.1", "0", "/usr/bin/env", "-0"}
	res := exact{argv: argv, env: env, sys: &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}}.run(t)
	if res.exit != 0 {
		t.Fatalf("exit %d: %s", res.exit, res.stderr)
	}
	want := []string{"PATH=" + os.Getenv("PATH"), "DUP=1", "NOEQUALS", "BYTES=\xff\xfe\x80", "EMPTY=", "=nameless", "NOEQUALS",
		"LISTEN_FDS=1", "LISTEN_PID=" + strconv.Itoa(res.pid)}
	if got := strings.Split(strings.TrimSuffix(res.stdout, "\x00"), "\x00"); !reflect.DeepEqual(got, want) {
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
	setcap, err := exec.LookPath("setcap")
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
	probe := copyExecutable(t, probePath(), filepath.Join(dir, "probe"))
	if out, err := exec.Command(setcap, "cap_net_bind_service=+ep", capable).CombinedOutput(); err != nil {
		t.Skipf("setcap on %s: %v: %s", capable, err, out)
	}
	report := filepath.Join(outDir, "report")
	nobody := &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNET, // port 80 is free, and privileged, in a network namespace of its own
		Credential: &syscall.Credential{Uid: 65534, Gid: 65534},
	}
	run := func(bin string, env []string) result {
		os.Remove(report)
		return exact{argv: []string{bin, "--systemd-compatibility", "0.0.0.0", "80", probe}, env: env, dir: dir, report: report, sys: nobody}.run(t)
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
		if res.r == nil {
			t.Fatalf("%s: probe did not run; exit %d: %s", extra, res.exit, res.stderr)
		}
		if s := socketAt(t, res.r, 3); s.Addr.String() != "0.0.0.0:80" {
			t.Errorf("socket at %v; want 0.0.0.0:80", s.Addr)
		}
		want := append([]string{}, env...)
		want[2], want[len(base)-1] = "LISTEN_FDS=1", "LISTEN_FDS=1"
		want = append(want, "LISTEN_PID="+strconv.Itoa(res.pid))
		if !reflect.DeepEqual(res.r.Raw, want) {
			t.Errorf("next-prog's environment\n%q\nwant\n%q", res.r.Raw, want)
		}
	}
}

// copyExecutable copies the file from to to, mode 0755.
func copyExecutable(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return to
}
