//go:build linux

package main

import (
	"reflect"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// Where this program and the C original part ways on the command line,
// kept on purpose and listed in the manual page (DIFFERENCES).

func TestLoneDashIsTheHost(t *testing.T) {
	// The C original skips "-" as an empty option cluster and would take
	// 0 for the host here.
	fails(t, testkit.Launch{Argv: tsl("-H", "-", "0")}.Run(t), "- 0: not a numeric IP address")
}

func TestHelpBeforeALaterMistake(t *testing.T) {
	// The C original prints the help, then fails on x.
	for _, arg := range []string{"-?x", "-H?x", "-?b"} {
		res := testkit.Launch{Argv: tsl(arg, "127.0.0.1", "0")}.Run(t)
		if res.Exit != 0 || res.Report != nil || !strings.HasPrefix(res.Stdout, wantUsage+"Options:\n") || res.Stderr != "" {
			t.Errorf("%s: exit %d, probe ran %v, stdout %q, stderr %q; want the help and exit 0", arg, res.Exit, res.Report != nil, res.Stdout, res.Stderr)
		}
	}
}

func TestHelpExactly(t *testing.T) {
	// The binary prints the same, named by argv[0]'s base name.
	for arg, want := range map[string]string{"--help": wantHelp, "-?": wantHelp, "--usage": wantUsage} {
		res := testkit.Launch{Argv: tsl(arg)}.Run(t)
		if res.Exit != 0 || res.Stdout != want || res.Stderr != "" {
			t.Errorf("%s: exit %d, stdout\n%s\nstderr %q", arg, res.Exit, res.Stdout, res.Stderr)
		}
	}
}

func TestNextProgArgumentsUntouched(t *testing.T) {
	tail := []string{"--reuse-port", "-b", "9", "--", "", "two words", "-H", "--help"}
	r := testkit.Launch{Argv: append(tsl("-H", "127.0.0.1", "0"), tail...)}.Probed(t)
	want := append([]string{testkit.ProbePath()}, tail...)
	if !reflect.DeepEqual(r.Args, want) {
		t.Errorf("next-prog got %q; want %q", r.Args, want)
	}
}

func TestHelpAndUsage(t *testing.T) {
	for _, arg := range []string{"--help", "-?", "-H?"} {
		res := testkit.Launch{Argv: tsl(arg, "127.0.0.1", "0")}.Run(t)
		if res.Exit != 0 || res.Report != nil || !strings.HasPrefix(res.Stdout, wantUsage+"Options:\n") || res.Stderr != "" {
			t.Errorf("%s: exit %d, probe ran %v, stdout %q, stderr %q", arg, res.Exit, res.Report != nil, res.Stdout, res.Stderr)
		}
		for _, opt := range []string{"--no-reuse-address", "--reuse-port", "--bind-to-any", "--numeric-host", "--numeric-service",
			"--check-interfaces", "--combine4and6", "--upstart-compatibility", "--systemd-compatibility", "--backlog"} {
			if !strings.Contains(res.Stdout, opt) {
				t.Errorf("%s does not list %s", arg, opt)
			}
		}
	}
	res := testkit.Launch{Argv: tsl("--usage")}.Run(t)
	if res.Exit != 0 || res.Stdout != wantUsage || res.Stderr != "" {
		t.Errorf("--usage: exit %d, stdout %q, stderr %q", res.Exit, res.Stdout, res.Stderr)
	}
}
