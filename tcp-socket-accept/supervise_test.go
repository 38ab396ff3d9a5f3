//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// How the supervisors' tests drive a supervisor: start it, as its
// scanner would, read the service's pid from it, and stop it, leaving no
// process behind.

// startSupervisor starts argv with stdin and stdout as given (nil:
// /dev/null), its stderr to the test's log, and kills it when the test
// ends if it has not gone by itself 5 s after it was told to.
func startSupervisor(t *testing.T, stdin, stdout *os.File, argv ...string) *os.Process {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = []string{"PATH=" + filepath.Dir(tsaBinary) + ":" + os.Getenv("PATH")}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", argv[0], err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return cmd.Process
}

// pipeSupervisors starts supervise on dir and on dir/log, the first's
// output piped into the second, as svscan and s6-svscan do.
func pipeSupervisors(t *testing.T, supervise, dir string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	startSupervisor(t, r, nil, supervise, filepath.Join(dir, "log"))
	startSupervisor(t, nil, w, supervise, dir)
	r.Close()
	w.Close()
}

// waitPid waits for the supervisor to report the service's pid.
func waitPid(t *testing.T, pid func(string) int, dir string) int {
	t.Helper()
	var n int
	waitFor(t, "the supervisor to report a pid", func() bool { n = pid(dir); return n > 0 })
	return n
}

func pidFile(path string) int {
	data, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return n
}

// statusPid runs a status command (svstat, s6-svstat) on dir and reads
// the pid between before and after in what it says.
func statusPid(status, dir, before, after string) int {
	out, _ := exec.Command(status, dir).Output()
	_, rest, ok := strings.Cut(string(out), before)
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(strings.Split(rest, after)[0]))
	return n
}

// copyTree copies the directory src to dst, files with their modes.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, fi.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// killUnder kills every process whose working directory is dir or below
// it: the services and their logs, which a supervisor that had to be
// killed would leave running.
func killUnder(dir string) {
	for _, pid := range pidsUnder(dir) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// pidsUnder is the processes whose working directory is dir or below it.
func pidsUnder(dir string) []int {
	var pids []int
	cwds, _ := filepath.Glob("/proc/[0-9]*/cwd")
	for _, p := range cwds {
		if cwd, err := os.Readlink(p); err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+"/")) {
			n, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, n)
		}
	}
	return pids
}

func run(t *testing.T, argv ...string) {
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Logf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}
