//go:build linux

package main

import (
	"os"
	"reflect"
	"strconv"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

func TestUpstartCompatibility(t *testing.T) {
	r := testkit.Launch{Argv: tsl("--upstart-compatibility", "127.0.0.1", "0"), Env: []string{"UPSTART_FDS=9"}}.Probed(t)
	testkit.SocketAt(t, r, 3)
	want := []string{"PATH=" + os.Getenv("PATH"), "UPSTART_FDS=3", "UPSTART_EVENTS=socket"}
	if got := testkit.WithoutProbeVars(r.Env); !reflect.DeepEqual(got, want) {
		t.Errorf("environment %q; want %q", got, want)
	}
}

func TestEnvironmentUntouchedWithoutCompatibility(t *testing.T) {
	env := []string{"LISTEN_FDS=2", "LISTEN_PID=1", "LISTEN_FDNAMES=a:b", "UPSTART_FDS=7", "Z=1", "A=2", "EMPTY="}
	r := testkit.Launch{Argv: tsl("127.0.0.1", "0"), Env: env}.Probed(t)
	want := append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	if got := testkit.WithoutProbeVars(r.Env); !reflect.DeepEqual(got, want) {
		t.Errorf("environment %q; want %q", got, want)
	}
}

func TestChainOfThreeSystemdListeners(t *testing.T) {
	argv := []string{tslBinary, "--systemd-compatibility", "127.0.0.1", "0",
		tslBinary, "--systemd-compatibility", "127.0.0.2", "0",
		tslBinary, "--systemd-compatibility", "-b", "9", "::1", "0", testkit.ProbePath()}
	res := testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDNAMES=web:alt:v6"}, SS: true}.Run(t)
	if res.Report == nil {
		t.Fatalf("probe did not run; exit %d: %s", res.Exit, res.Stderr)
	}
	r := res.Report
	testkit.CheckSocket(t, r, 3, testkit.SockWant{Family: inet, IP: "127.0.0.1", ReuseAddr: 1, V6Only: -1, Backlog: 5})
	testkit.CheckSocket(t, r, 4, testkit.SockWant{Family: inet, IP: "127.0.0.2", ReuseAddr: 1, V6Only: -1, Backlog: 5})
	testkit.CheckSocket(t, r, 5, testkit.SockWant{Family: inet6, IP: "::1", ReuseAddr: 1, V6Only: 1, Backlog: 9})
	if len(r.FDs) != 6 {
		t.Errorf("descriptors %v; want 0-2 and three sockets", r.FDs)
	}
	if r.Pid != res.Pid {
		t.Errorf("probe pid %d, started pid %d: every link must exec in the same process", r.Pid, res.Pid)
	}
	want := []string{"PATH=" + os.Getenv("PATH"), "LISTEN_FDNAMES=web:alt:v6", "LISTEN_FDS=3", "LISTEN_PID=" + strconv.Itoa(res.Pid)}
	if got := testkit.WithoutProbeVars(r.Env); !reflect.DeepEqual(got, want) {
		t.Errorf("environment %q; want %q", got, want)
	}
}

func TestListenFDsRead(t *testing.T) {
	cases := []struct {
		name   string
		ownPid bool     // LISTEN_PID is the pid of tcp-socket-listen
		env    []string // LISTEN_FDS and the rest
		target int
	}{
		{"valid", true, []string{"LISTEN_FDS=2"}, 5},
		{"hexadecimal", true, []string{"LISTEN_FDS=0x2"}, 5},
		{"octal", true, []string{"LISTEN_FDS=02"}, 5},
		{"leading space, as strtoul", true, []string{"LISTEN_FDS= 2"}, 5},
		{"zero", true, []string{"LISTEN_FDS=0"}, 3},
		{"trailing space", true, []string{"LISTEN_FDS=2 "}, 3},
		{"not a number", true, []string{"LISTEN_FDS=two"}, 3},
		{"empty", true, []string{"LISTEN_FDS="}, 3},
		{"unset", true, nil, 3},
		{"stale pid", false, []string{"LISTEN_PID=1", "LISTEN_FDS=2"}, 3},
		{"malformed pid", false, []string{"LISTEN_PID=self", "LISTEN_FDS=2"}, 3},
		{"no pid", false, []string{"LISTEN_FDS=2"}, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			argv := tsl("--systemd-compatibility", "--upstart-compatibility", "127.0.0.1", "0")
			if c.ownPid {
				argv = testkit.AsOwnPid(argv...)
			}
			res := testkit.Launch{Argv: argv, Env: c.env}.Run(t)
			if res.Report == nil {
				t.Fatalf("probe did not run; exit %d: %s", res.Exit, res.Stderr)
			}
			testkit.SocketAt(t, res.Report, c.target)
			n := c.target - 3 + 1
			for name, want := range map[string]string{
				"LISTEN_FDS":  strconv.Itoa(n),
				"LISTEN_PID":  strconv.Itoa(res.Report.Pid),
				"UPSTART_FDS": strconv.Itoa(c.target),
			} {
				if got, _ := testkit.GetenvIn(res.Report.Env, name); got != want {
					t.Errorf("%s=%q; want %q", name, got, want)
				}
			}
		})
	}
}

func TestListenFDsOutOfRange(t *testing.T) {
	// With a matching LISTEN_PID, a LISTEN_FDS that puts 3+n past INT_MAX,
	// the largest descriptor number, is refused; the C original truncates
	// it to an unsigned int, so that 4294967295 puts the socket on 2.
	// Descriptor 3, the caller's, is left alone: nothing runs.
	for _, n := range []string{"2147483645", "2147483648", "4294967293", "4294967295", "0xffffffff", " 4294967296",
		"18446744073709551615", "18446744073709551616", "99999999999999999999999"} {
		t.Run(n, func(t *testing.T) {
			p3, _ := testkit.Pipe(t)
			argv := testkit.AsOwnPid(tsl("--systemd-compatibility", "127.0.0.1", "0")...)
			fails(t, testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDS=" + n}, Files: []*os.File{p3}}.Run(t),
				"LISTEN_FDS "+quote(n)+": too many descriptors: 3+n must be at most 2147483647")
		})
	}
	// A minus sign, which the C original wraps round to a huge count.
	for _, n := range []string{"-1", "-0", " -2", "-18446744073709551617"} {
		t.Run(n, func(t *testing.T) {
			argv := testkit.AsOwnPid(tsl("--systemd-compatibility", "127.0.0.1", "0")...)
			fails(t, testkit.Launch{Argv: argv, Env: []string{"LISTEN_FDS=" + n}}.Run(t), "LISTEN_FDS "+quote(n)+": a negative count")
		})
	}
	t.Run("stale pid", func(t *testing.T) {
		// Not this process's: not read, whatever the count.
		r := testkit.Launch{Argv: tsl("--systemd-compatibility", "127.0.0.1", "0"), Env: []string{"LISTEN_PID=1", "LISTEN_FDS=4294967295"}}.Probed(t)
		testkit.SocketAt(t, r, 3)
	})
}
