//go:build linux

package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// Hostile input and environments.

func TestLongAndEmptyArguments(t *testing.T) {
	long := strings.Repeat("a", 10000)
	fails(t, testkit.Launch{Argv: tsl("-H", long, "0")}.Run(t), long+" 0: not a numeric IP address")
	fails(t, testkit.Launch{Argv: tsl("127.0.0.1", long)}.Run(t), "127.0.0.1 "+long+": unknown port")
	fails(t, testkit.Launch{Argv: tsl("--numeric-service", "127.0.0.1", long)}.Run(t), "127.0.0.1 "+long+": not a port number")
	fails(t, testkit.Launch{Argv: tsl("-b", long, "127.0.0.1", "0")}.Run(t), "-b "+long+": not a number")
	fails(t, testkit.Launch{Argv: tsl("127.0.0.1", "")}.Run(t), `127.0.0.1 "": empty service`)
	fails(t, testkit.Launch{Argv: tsl("--"+long, "127.0.0.1", "0")}.Run(t), "--"+long+": unknown option")
	fails(t, testkit.Launch{Argv: tsl("127.0.0.1", "1"+strings.Repeat("0", 9999))}.Run(t), "127.0.0.1 1"+strings.Repeat("0", 9999)+": port number out of range")
	t.Run("names", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl(long, "0")...)}.Run(t), long+" 0: no such host")
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("", "0")...)}.Run(t), `"" 0: no such host`)
		fails(t, testkit.Launch{Argv: sandbox(t, "", tsl("-H", "", "0")...)}.Run(t), `"" 0: not a numeric IP address`)
	})
	t.Run("next-prog", func(t *testing.T) {
		long := "/" + strings.Repeat("x", 10000)
		fails(t, testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0", long}}.Run(t), long+": file name too long")
	})
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		args []string // before the probe
		want string
	}{
		{[]string{"--bogus", "127.0.0.1", "0"}, "--bogus: unknown option"},
		{[]string{"--bogus=1", "127.0.0.1", "0"}, "--bogus=1: unknown option"},
		{[]string{"-x", "127.0.0.1", "0"}, "-x: unknown option"},
		{[]string{"-Hx", "127.0.0.1", "0"}, "-x: unknown option"},
		{[]string{"--numeric-host=yes", "127.0.0.1", "0"}, "--numeric-host=yes: option takes no argument"},
		{[]string{"--help=1", "127.0.0.1", "0"}, "--help=1: option takes no argument"},
		{[]string{"-b", "-1", "127.0.0.1", "0"}, "-b -1: negative number"},
		{[]string{"--backlog", "-0", "127.0.0.1", "0"}, "--backlog -0: negative number"},
		{[]string{"-b12x", "127.0.0.1", "0"}, "-b 12x: junk after number"},
		{[]string{"-b", "08", "127.0.0.1", "0"}, "-b 08: junk after number"},
		{[]string{"-b", "", "127.0.0.1", "0"}, `-b "": not a number`},
		{[]string{"--backlog=", "127.0.0.1", "0"}, `--backlog "": not a number`},
		{[]string{"--backlog", "x", "127.0.0.1", "0"}, "--backlog x: not a number"},
		{[]string{"--backlog=2147483648", "127.0.0.1", "0"}, "--backlog 2147483648: number out of range"},
		{[]string{"--backlog=18446744073709551616", "127.0.0.1", "0"}, "--backlog 18446744073709551616: number out of range"},
		{[]string{"-H", "localhost", "0"}, "localhost 0: not a numeric IP address"},
		{[]string{"-H", "127.0.0.1.1", "0"}, "127.0.0.1.1 0: not a numeric IP address"},
		{[]string{"-H", "256.0.0.1", "0"}, "256.0.0.1 0: not a numeric IP address"},
		{[]string{"-H", "1.16777216", "0"}, "1.16777216 0: not a numeric IP address"},
		{[]string{"-H", "1.2.65536", "0"}, "1.2.65536 0: not a numeric IP address"},
		{[]string{"-H", "0x", "0"}, "0x 0: not a numeric IP address"},
		{[]string{"-H", "09", "0"}, "09 0: not a numeric IP address"},
		{[]string{"-H", "1.2.3.4%lo", "0"}, "1.2.3.4%lo 0: not a numeric IP address"},
		{[]string{"-H", "4294967296", "0"}, "4294967296 0: not a numeric IP address"},
		{[]string{"-H", "127.0.0.", "0"}, "127.0.0. 0: not a numeric IP address"},
		{[]string{"-H", "", "0"}, `"" 0: not a numeric IP address`},
		{[]string{"-H", "fe80::1%no-such-if", "0"}, "fe80::1%no-such-if 0: unknown interface no-such-if"},
		{[]string{"-H", "::1%no-such-if", "0"}, "::1%no-such-if 0: zone no-such-if: an interface name is only for a link-local address"},
		{[]string{"-H", "::1%99999999999", "0"}, "::1%99999999999 0: unknown interface 99999999999"},
		{[]string{"--numeric-service", "127.0.0.1", "http"}, "127.0.0.1 http: not a port number"},
		{[]string{"--numeric-service", "127.0.0.1", "-1"}, "127.0.0.1 -1: negative port number"},
		{[]string{"127.0.0.1", "65536"}, "127.0.0.1 65536: port number out of range"},
		{[]string{"127.0.0.1", "99999999999999999999"}, "127.0.0.1 99999999999999999999: port number out of range"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			fails(t, testkit.Launch{Argv: tsl(c.args...)}.Run(t), c.want)
		})
	}
	t.Run("missing host", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: []string{tslBinary}}.Run(t), "missing host")
		fails(t, testkit.Launch{Argv: []string{tslBinary, "--reuse-port", "--"}}.Run(t), "missing host")
	})
	t.Run("missing service", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: []string{tslBinary, "127.0.0.1"}}.Run(t), "missing service")
	})
	t.Run("missing next-prog", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", "0"}}.Run(t), "missing next-prog")
	})
	t.Run("missing option argument", func(t *testing.T) {
		fails(t, testkit.Launch{Argv: []string{tslBinary, "--backlog"}}.Run(t), "--backlog: missing option argument")
		fails(t, testkit.Launch{Argv: []string{tslBinary, "-Hb"}}.Run(t), "-b: missing option argument")
	})
	t.Run("name is argv[0]'s base name", func(t *testing.T) {
		link := filepath.Join(t.TempDir(), "other-name")
		if err := os.Symlink(tslBinary, link); err != nil {
			t.Fatal(err)
		}
		res := testkit.Launch{Argv: []string{link, "--bogus"}}.Run(t)
		if res.Stderr != "other-name: FATAL: --bogus: unknown option\n" || res.Exit != 1 {
			t.Errorf("exit %d, stderr %q", res.Exit, res.Stderr)
		}
	})
}

func TestBindErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	fails(t, testkit.Launch{Argv: tsl("127.0.0.1", port)}.Run(t), "bind 127.0.0.1 port "+port+": address already in use")
	fails(t, testkit.Launch{Argv: tsl("--reuse-port", "127.0.0.1", port)}.Run(t), "bind 127.0.0.1 port "+port+": address already in use")
}

func TestTargetBeyondLimit(t *testing.T) {
	argv := testkit.AsOwnPid(tsl("--systemd-compatibility", "127.0.0.1", "0")...)
	fails(t, testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDS=2147483644"}}.Run(t),
		"placing socket on descriptor 2147483647: bad file descriptor")
}

func TestPrivilegedPortRefused(t *testing.T) {
	setpriv := testkit.SystemProgram(t, "setpriv", "util-linux")
	// Inside the sandbox's own network namespace ports below 1024 are
	// privileged whatever the host's sysctl says; setpriv drops to nobody.
	argv := sandbox(t, "", append([]string{setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"}, tsl("127.0.0.1", "80")...)...)
	fails(t, testkit.Launch{Argv: argv}.Run(t), "bind 127.0.0.1 port 80: permission denied")
}

func TestFailureLeavesNothingListening(t *testing.T) {
	port := testkit.FreePort(t)
	fails(t, testkit.Launch{Argv: []string{tslBinary, "127.0.0.1", port, "/no/such/prog"}}.Run(t), "/no/such/prog: no such file or directory")
	l, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("port %s after a failed exec: %v", port, err)
	}
	l.Close()
}

func TestMessagesNameTheProgram(t *testing.T) {
	// runAs runs the binary with argv[0] set to name.
	runAs := func(name string, args ...string) (stdout, stderr string, exit int) {
		t.Helper()
		cmd := &exec.Cmd{Path: tslBinary, Args: append([]string{name}, args...)}
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			exit = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("running as %q: %v", name, err)
		}
		return o.String(), e.String(), exit
	}
	forged := "x\nFORGED: all is well"
	_, stderr, exit := runAs(forged, "--bogus")
	if want := `"x\nFORGED: all is well": FATAL: --bogus: unknown option` + "\n"; stderr != want || exit != 1 {
		t.Errorf("exit %d, stderr %q; want %q", exit, stderr, want)
	}
	_, stderr, _ = runAs("/some/dir/two words", "--bogus")
	if want := `"two words": FATAL: --bogus: unknown option` + "\n"; stderr != want {
		t.Errorf("stderr %q; want %q", stderr, want)
	}
	// The usage line names the program as the errors do.
	for _, name := range []string{"/some/dir/other-name", forged} {
		stdout, _, exit := runAs(name, "--usage")
		want := "Usage: " + quote(filepath.Base(name)) + " [OPTION...] {host} {service} {next-prog...}\n"
		if stdout != want || exit != 0 {
			t.Errorf("--usage as %q: exit %d, stdout %q; want %q", name, exit, stdout, want)
		}
		stdout, _, _ = runAs(name, "--help")
		if !strings.HasPrefix(stdout, want) {
			t.Errorf("--help as %q: stdout %q; want it to start %q", name, stdout, want)
		}
	}
	// An empty argv[0] gives the program's own name.
	if _, stderr, _ := runAs("", "--bogus"); stderr != "tcp-socket-listen: FATAL: --bogus: unknown option\n" {
		t.Errorf("empty argv[0]: stderr %q", stderr)
	}
	// Package net's own naming of the service is not repeated.
	fails(t, testkit.Launch{Argv: tsl("127.0.0.1", "-1")}.Run(t), "127.0.0.1 -1: negative port number")
}
