//go:build linux

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// A port is one Linux GOARCH run one way: natively (qemu "") or under
// Debian's qemu-user-static program qemu-NAME-static.
type port struct {
	arch, qemu string
}

func (p port) String() string {
	if p.qemu == "" || p.arch != "386" {
		return p.arch
	}
	return p.arch + "-qemu"
}

// emulatedPorts are the Linux ports other than the host's. 386 runs
// natively where the kernel can and under qemu-i386 as well, so that it
// is proven on a kernel without 32-bit support too.
var emulatedPorts = []port{
	{"386", ""}, {"386", "i386"},
	{"mips", "mips"}, {"mipsle", "mipsel"}, {"mips64", "mips64"}, {"mips64le", "mips64el"},
	{"s390x", "s390x"}, {"arm64", "aarch64"}, {"arm", "arm"},
	{"ppc64", "ppc64"}, {"ppc64le", "ppc64le"}, {"riscv64", "riscv64"}, {"loong64", "loongarch64"},
}

// runner is what goes before the binary on a command line to run it as
// p says, or a skip that names what is missing.
func (p port) runner(t *testing.T, bin string) []string {
	t.Helper()
	if p.qemu == "" {
		err := exec.Command(bin, "--usage").Run()
		if errors.Is(err, syscall.ENOEXEC) {
			t.Skipf("this kernel cannot run linux/%s binaries (%v); the %s-qemu subtest runs them under qemu", p.arch, err, p.arch)
		}
		if err != nil {
			t.Fatalf("running linux/%s %s natively: %v", p.arch, bin, err)
		}
		return nil
	}
	qemu := testkit.SystemProgram(t, "qemu-"+p.qemu+"-static", "qemu-user-static")
	if p.arch == "386" {
		// Go's runtime under qemu-i386 dies on signal delivery unless
		// asynchronous preemption is off, and even then now and then
		// ("schedule: holding locks", about 1 run in 100) unless it runs
		// one thread of Go code at a time. -E sets both for the emulated
		// process only: the environment it passes on is read from
		// /proc/self/environ, which holds qemu's own.
		return []string{qemu, "-E", "GODEBUG=asyncpreemptoff=1", "-E", "GOMAXPROCS=1"}
	}
	return []string{qemu}
}

// buildFor builds tcp-socket-listen for linux/arch into dir, once.
func buildFor(t *testing.T, arch, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "tcp-socket-listen-"+arch)
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	build := exec.Command(testkit.Go(), "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building for linux/%s: %v\n%s", arch, err, out)
	}
	return bin
}

// TestEmulatedPorts runs tcp-socket-listen built for the other Linux
// ports, with the options whose constants differ between ports, and reads
// the socket back with the native probe: a wrong constant would set the
// wrong option, or fail.
func TestEmulatedPorts(t *testing.T) {
	if testing.Short() {
		t.Skip("building for 12 ports takes minutes with a cold build cache; make check runs them")
	}
	cases := []struct {
		args []string
		want testkit.SockWant
	}{
		{[]string{"127.0.0.1", "0"}, testkit.SockWant{Family: inet, IP: "127.0.0.1", ReuseAddr: 1, V6Only: -1, Backlog: 5}},
		{[]string{"--reuse-port", "--no-reuse-address", "--bind-to-any", "-b", "9", "127.0.0.1", "0"},
			testkit.SockWant{Family: inet, IP: "127.0.0.1", ReusePort: 1, Free: 1, V6Only: -1, Backlog: 9}},
		{[]string{"--combine4and6", "--bind-to-any", "--backlog=0x11", "::", "0"},
			testkit.SockWant{Family: inet6, IP: "::", ReuseAddr: 1, Free: 1, Backlog: 17}},
		{[]string{"--reuse-port", "::1", "0"}, testkit.SockWant{Family: inet6, IP: "::1", ReuseAddr: 1, ReusePort: 1, V6Only: 1, Backlog: 5}},
	}
	builds := t.TempDir()
	for _, p := range emulatedPorts {
		t.Run(p.String(), func(t *testing.T) {
			bin := buildFor(t, p.arch, builds)
			run := append(p.runner(t, bin), bin)
			for _, c := range cases {
				argv := append(append([]string{}, run...), append(c.args, testkit.ProbePath())...)
				r := testkit.Launch{Argv: argv, SS: true}.Probed(t)
				testkit.CheckSocket(t, r, 3, c.want)
			}
			checkChain(t, run)
		})
	}
}

// checkChain runs two listeners through run, the second with the first's
// LISTEN_FDS and pid, and checks that the probe finds both sockets and
// exactly the variables it should: the emulator's own settings must not
// reach it.
func checkChain(t *testing.T, run []string) {
	t.Helper()
	argv := append(append([]string{}, run...), "--systemd-compatibility", "127.0.0.1", "0")
	argv = append(append(argv, run...), "--systemd-compatibility", "--upstart-compatibility", "::1", "0", testkit.ProbePath())
	res := testkit.Launch{Argv: argv, SS: true}.Run(t)
	if res.Report == nil {
		t.Fatalf("chain: exit %d: %s", res.Exit, res.Stderr)
	}
	testkit.CheckSocket(t, res.Report, 3, testkit.SockWant{Family: inet, IP: "127.0.0.1", ReuseAddr: 1, V6Only: -1, Backlog: 5})
	testkit.CheckSocket(t, res.Report, 4, testkit.SockWant{Family: inet6, IP: "::1", ReuseAddr: 1, V6Only: 1, Backlog: 5})
	var names []string
	for _, kv := range res.Report.Env {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	// qemu-user hands its guest the environment in another order, and
	// with -E more; what the kernel gave it is what counts.
	wantNames := "PATH PROBE_OUT PROBE_SS LISTEN_FDS LISTEN_PID UPSTART_EVENTS UPSTART_FDS"
	if got := strings.Join(names, " "); got != wantNames {
		t.Errorf("chain: the probe's variables are %s; want %s", got, wantNames)
	}
	for name, want := range map[string]string{"LISTEN_FDS": "2", "LISTEN_PID": strconv.Itoa(res.Pid), "UPSTART_FDS": "4", "UPSTART_EVENTS": "socket"} {
		if got, _ := testkit.GetenvIn(res.Report.Env, name); got != want {
			t.Errorf("chain: %s=%q; want %q", name, got, want)
		}
	}
}
