//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
	"tcp-socket-listen/internal/testkit"
)

// The tests build tcp-socket-listen and tcp-socket-accept once, run them
// as processes, and serve connections with the probe of package testkit:
// this test binary again, which, finding PROBE_DIR in its environment,
// writes down what it inherited and answers its client (PROBE_MODE says
// how). Each file holds the tests of one subject; this one, the server
// they run.

var (
	tslBinary string // the built tcp-socket-listen
	tsaBinary string // the built tcp-socket-accept
)

func TestMain(m *testing.M) {
	testkit.Main(m, map[string]func(string) int{"ACCEPT_SCENARIO": runScenario}, testkit.Build{Dir: "..", Name: "tcp-socket-listen", Path: &tslBinary}, testkit.Build{Dir: ".", Name: "tcp-socket-accept", Path: &tsaBinary})
}

// listener makes a listening TCP socket on host, port chosen by the
// kernel, for a server to inherit; v6only is -1 to leave it as it is.
func listener(t *testing.T, host string, v6only int) (*os.File, string) {
	t.Helper()
	ip := net.ParseIP(host)
	var fd int
	var err error
	var sa syscall.Sockaddr
	if ip4 := ip.To4(); ip4 != nil {
		fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		sa = &syscall.SockaddrInet4{Addr: v4(ip4)}
	} else {
		fd, err = syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM, 0)
		sa = &syscall.SockaddrInet6{Addr: v6(ip)}
		if err == nil && v6only >= 0 {
			err = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, v6only)
		}
	}
	if err == nil {
		err = syscall.Bind(fd, sa)
	}
	if err == nil {
		err = syscall.Listen(fd, 1024)
	}
	if err != nil {
		t.Fatalf("listening socket on %s: %v", host, err)
	}
	f := os.NewFile(uintptr(fd), "listener")
	t.Cleanup(func() { f.Close() })
	got, _ := syscall.Getsockname(fd)
	return f, testkit.SockaddrText(got)
}

// running is one running tcp-socket-accept (or a chain ending in it).
type running struct {
	t      *testing.T
	proc   *os.Process
	dir    string // where probes report
	mu     sync.Mutex
	stderr strings.Builder
	done   chan struct{} // closed when stderr reaches EOF
	exited chan *os.ProcessState
}

// serverSpec is how to start a server.
type serverSpec struct {
	argv     []string
	argv0    string     // argv[0], if not argv[0]'s file name
	dir      string     // working directory, if not the tests'
	env      []string   // besides PATH and PROBE_DIR
	files    []*os.File // descriptors 3, 4, ...
	stderr   *os.File   // instead of a pipe the test reads
	stdin    *os.File   // instead of /dev/null
	stdout   *os.File   // instead of /dev/null
	noStderr bool       // descriptor 2 closed
	logOut   bool       // stdout too is the pipe the test reads, as a run script's exec 2>&1 makes it
	noPath   bool
	path     string // PATH, if not the tests'
}

// start runs spec; the server is killed, with its children, when the
// test ends.
func start(t *testing.T, spec serverSpec) *running {
	t.Helper()
	s := &running{t: t, dir: t.TempDir(), done: make(chan struct{}), exited: make(chan *os.ProcessState, 1)}
	env := []string{"PROBE_DIR=" + s.dir}
	switch {
	case spec.path != "":
		env = append(env, "PATH="+spec.path)
	case !spec.noPath:
		env = append(env, "PATH="+os.Getenv("PATH"))
	}
	env = append(env, spec.env...)
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devnull.Close()
	errW := spec.stderr
	var errR *os.File
	if errW == nil {
		if errR, errW, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		defer errW.Close()
	}
	stdin := devnull
	if spec.stdin != nil {
		stdin = spec.stdin
	}
	stdout := devnull
	if spec.stdout != nil {
		stdout = spec.stdout
	}
	if spec.logOut {
		stdout = errW
	}
	files := append([]*os.File{stdin, stdout, errW}, spec.files...)
	if spec.noStderr {
		files[2] = nil
	}
	args := spec.argv
	if spec.argv0 != "" {
		args = append([]string{spec.argv0}, args[1:]...)
	}
	path := spec.argv[0]
	if fallbackPass() {
		args = append([]string{subreaperWrapper(t), path}, args...)
		path = args[0]
	}
	s.proc, err = os.StartProcess(path, args, &os.ProcAttr{Dir: spec.dir, Env: env, Files: files})
	if err != nil {
		t.Fatalf("starting %q: %v", spec.argv, err)
	}
	go func() {
		st, _ := s.proc.Wait()
		s.exited <- st
	}()
	if errR != nil {
		go func() {
			defer close(s.done)
			defer errR.Close()
			r := bufio.NewReader(errR)
			for {
				line, err := r.ReadString('\n')
				s.mu.Lock()
				s.stderr.WriteString(line)
				s.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	} else {
		close(s.done)
	}
	t.Cleanup(s.kill)
	return s
}

// kill ends every child the server has, then the server, which can
// still reap them.
func (s *running) kill() {
	for _, pid := range machine.ChildPids(s.proc.Pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.proc.Signal(syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

func (s *running) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// waitLog waits until the server's stderr matches re, and returns it.
func (s *running) waitLog(re string) string {
	s.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for {
		l := s.log()
		if rx.MatchString(l) {
			return l
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("server's stderr never matched %q:\n%s", re, l)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitExit waits for the server to end and returns how it ended.
func (s *running) waitExit() *os.ProcessState {
	s.t.Helper()
	select {
	case st := <-s.exited:
		s.exited <- st
		return st
	case <-time.After(20 * time.Second):
		s.t.Fatalf("the server did not exit; stderr:\n%s", s.log())
	}
	return nil
}

func (s *running) alive() bool {
	select {
	case st := <-s.exited:
		s.exited <- st
		return false
	default:
		return true
	}
}

// v4 and v6 are an address's bytes as the socket addresses hold them.
func v4(ip net.IP) (b [4]byte) {
	copy(b[:], ip.To4())
	return b
}

func v6(ip net.IP) (b [16]byte) {
	copy(b[:], ip.To16())
	return b
}
