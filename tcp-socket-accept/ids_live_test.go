//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// idLines are the Uid, Gid and Groups lines of a /proc status file, each
// with its values separated by single spaces.
func idLines(status string) string {
	var out []string
	for _, line := range strings.Split(status, "\n") {
		for _, field := range []string{"Uid:", "Gid:", "Groups:"} {
			if v, ok := testkit.CutPrefix(line, field); ok {
				out = append(out, field+" "+strings.Join(strings.Fields(v), " "))
			}
		}
	}
	return strings.Join(out, "; ")
}

// TestRunsAs: with -u and -g, or -U after envuidgid, every thread of the
// server runs as the user and group, in no other group, once it serves,
// and so does each child; the listener was taken as root before.
func TestRunsAs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to change users")
	}
	for _, c := range []struct {
		opts []string
		env  []string
		id   string
	}{
		{[]string{"-u", "64220", "-g", "64221"}, nil, "64220 64221"},
		{[]string{"-U"}, []string{"UID=64222", "GID=64223"}, "64222 64223"},
		{[]string{"-vDRHl0", "-U", "-g64225"}, []string{"UID=64224", "GID=1"}, "64224 64225"},
	} {
		t.Run(strings.Join(c.opts, " "), func(t *testing.T) {
			uid, gid, _ := strings.Cut(c.id, " ")
			want := "Uid: " + strings.Repeat(uid+" ", 3) + uid + "; Gid: " + strings.Repeat(gid+" ", 3) + gid + "; Groups: " + gid
			l, addr := listener(t, "127.0.0.1", -1)
			argv := accept(append(c.opts, "sh", "-c", "cat /proc/self/status")...)
			s := start(t, serverSpec{argv: argv, env: c.env, files: []*os.File{l}})
			got := served(t, addr)
			if ids := idLines(got); ids != want {
				t.Errorf("the child: %s; want %s; stderr:\n%s", ids, want, s.log())
			}
			tasks, err := filepath.Glob("/proc/" + strconv.Itoa(s.proc.Pid) + "/task/*/status")
			if err != nil || len(tasks) == 0 {
				t.Fatalf("the server's tasks: %v, %v", tasks, err)
			}
			for _, task := range tasks {
				data, err := os.ReadFile(task)
				if err != nil {
					t.Fatal(err)
				}
				if ids := idLines(string(data)); ids != want {
					t.Errorf("%s: %s; want %s", task, ids, want)
				}
			}
		})
	}
}

// TestRunsAsRefused: a server that cannot become whom it is asked to
// (here a user who is not root, asked for root) ends before it serves,
// with one FATAL line.
func TestRunsAsRefused(t *testing.T) {
	setpriv, _ := limitTools(t)
	l, _ := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: []string{setpriv, "--reuid=64226", "--regid=64226", "--clear-groups", tsaBinary, "-u", "0", "cat"}, files: []*os.File{l}})
	fails(t, s, "setuid 0: operation not permitted")
}
