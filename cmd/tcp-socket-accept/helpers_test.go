//go:build linux

package main

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// The tests build tcp-socket-listen and tcp-socket-accept once, run them
// as processes, and serve connections with a probe: this test binary
// again, which, finding PROBE_DIR in its environment, writes down what it
// inherited and answers its client.

var (
	tslBinary string // the built tcp-socket-listen
	tsaBinary string // the built tcp-socket-accept
)

func TestMain(m *testing.M) {
	if how := os.Getenv("ACCEPT_LAUNCH"); how != "" {
		launcher(how)
	}
	if dir := os.Getenv("PROBE_DIR"); dir != "" {
		os.Exit(probe(dir, os.Getenv("PROBE_MODE")))
	}
	os.Exit(buildThenTest(m))
}

func buildThenTest(m *testing.M) int {
	// Whatever this process inherited beyond 0-2 must not reach the
	// processes it starts, whose descriptors the tests look at.
	for fd := 3; fd < 1024; fd++ {
		syscall.CloseOnExec(fd)
	}
	dir, err := os.MkdirTemp("", "tsa-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	tslBinary = filepath.Join(dir, "tcp-socket-listen")
	tsaBinary = filepath.Join(dir, "tcp-socket-accept")
	for _, b := range [][]string{{tslBinary, "../tcp-socket-listen"}, {tsaBinary, "."}} {
		build := exec.Command("go", "build", "-trimpath", "-o", b[0], b[1])
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			os.Stderr.Write(out)
			return 2
		}
	}
	return m.Run()
}

// report is what the probe found.
type report struct {
	Pid, Ppid int
	Args      []string
	Environ   []string         // /proc/self/environ, entry by entry
	FDs       map[int]fdReport // inherited: those without FD_CLOEXEC
	KeepAlive int
	NoDelay   int
	IPOptions int // bytes of IP options on the connection
	Local     string
	Peer      string
	Siblings  int // the server's children when the probe started
}

type fdReport struct {
	Link     string
	Nonblock bool
}

// probe is next-prog in the tests. It counts the server's children,
// writes a report named for its client's port into dir, then, by mode:
// "report" answers "ok N" and exits; "hold" answers and waits for its
// client to close; "exit=C" exits with code C at once.
func probe(dir, mode string) int {
	if c, ok := strings.CutPrefix(mode, "exit="); ok {
		n, _ := strconv.Atoi(c)
		return n
	}
	r := report{Pid: os.Getpid(), Ppid: os.Getppid(), Args: os.Args}
	r.Siblings = childrenOf(r.Ppid)
	data, _ := os.ReadFile("/proc/self/environ")
	r.Environ = splitEnviron(data)
	r.FDs = inheritedFDs()
	r.KeepAlive, _ = syscall.GetsockoptInt(0, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	r.NoDelay, _ = syscall.GetsockoptInt(0, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	r.IPOptions = ipOptionsLen(0)
	if sa, err := syscall.Getsockname(0); err == nil {
		r.Local = sockaddrText(sa)
	}
	if sa, err := syscall.Getpeername(0); err == nil {
		r.Peer = sockaddrText(sa)
	}
	var js bytes.Buffer
	gob.NewEncoder(&js).Encode(r)
	name := filepath.Join(dir, os.Getenv("TCPREMOTEPORT")+".gob")
	os.WriteFile(name+".tmp", js.Bytes(), 0o644)
	os.Rename(name+".tmp", name)
	syscall.Write(1, []byte("ok "+strconv.Itoa(r.Siblings)+"\n"))
	if mode == "hold" {
		var b [64]byte
		for {
			if n, err := syscall.Read(0, b[:]); n <= 0 || err != nil {
				break
			}
		}
	}
	return 0
}

func splitEnviron(data []byte) []string {
	var env []string
	for len(data) > 0 {
		i := 0
		for i < len(data) && data[i] != 0 {
			i++
		}
		env = append(env, string(data[:i]))
		if i < len(data) {
			i++
		}
		data = data[i:]
	}
	return env
}

// childrenOf counts pid's children, zombies included, from the kernel's
// lists per thread; the lists are read until two readings agree, so that
// the count is one moment's.
func childrenOf(pid int) int {
	last := -1
	for try := 0; try < 20; try++ {
		n := 0
		tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		for _, task := range tasks {
			data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
			n += len(strings.Fields(string(data)))
		}
		if n == last {
			return n
		}
		last = n
	}
	return last
}

func inheritedFDs() map[int]fdReport {
	fds := map[int]fdReport{}
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		fd, _ := strconv.Atoi(e.Name())
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno != 0 || r&syscall.FD_CLOEXEC != 0 {
			continue
		}
		fl, _, _ := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
		link, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fds[fd] = fdReport{Link: link, Nonblock: fl&syscall.O_NONBLOCK != 0}
	}
	return fds
}

func ipOptionsLen(fd int) int {
	var buf [40]byte
	n := uint32(len(buf))
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), syscall.IPPROTO_IP, syscall.IP_OPTIONS,
		uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
	if errno != 0 {
		return -1
	}
	return int(n)
}

func sockaddrText(sa syscall.Sockaddr) string {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return net.JoinHostPort(net.IP(sa.Addr[:]).String(), strconv.Itoa(sa.Port))
	case *syscall.SockaddrInet6:
		return net.JoinHostPort(net.IP(sa.Addr[:]).String(), strconv.Itoa(sa.Port))
	}
	return ""
}

// launcher sets up signal state that package os cannot hand to a child,
// then execs its arguments without ACCEPT_LAUNCH in the environment.
func launcher(how string) {
	switch how {
	case "state":
		launcherState()
	case "nonblocking-stdin":
		// Set here, for os.StartProcess makes the files it passes
		// blocking.
		if err := syscall.SetNonblock(0, true); err != nil {
			panic(err)
		}
	default:
		panic("unknown ACCEPT_LAUNCH " + how)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ACCEPT_LAUNCH=") {
			env = append(env, kv)
		}
	}
	panic(syscall.Exec(os.Args[1], os.Args[1:], env))
}

// launcherState ignores launchIgnored and blocks launchBlocked, on the
// thread that will exec.
func launcherState() {
	for _, sig := range launchIgnored {
		// SIG_IGN by rt_sigaction, which signal.Ignore would also do.
		var sa [4]uintptr
		sa[0] = 1 // SIG_IGN
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0)
	}
	runtime.LockOSThread()
	mask := sigset(launchBlocked)
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2 /* SIG_SETMASK */, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0); errno != 0 {
		panic(errno)
	}
}

var (
	launchIgnored = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGPIPE, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGTSTP, syscall.SIGTTOU}
	launchBlocked = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE, syscall.SIGTERM, syscall.SIGUSR2, syscall.SIGCHLD, syscall.SIGWINCH}
)

func sigset(sigs []syscall.Signal) uint64 {
	var m uint64
	for _, s := range sigs {
		m |= 1 << (s - 1)
	}
	return m
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
		sa = &syscall.SockaddrInet4{Addr: [4]byte(ip4)}
	} else {
		fd, err = syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM, 0)
		sa = &syscall.SockaddrInet6{Addr: [16]byte(ip.To16())}
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
	return f, sockaddrText(got)
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
	noPath   bool
}

// start runs spec; the server is killed, with its children, when the
// test ends.
func start(t *testing.T, spec serverSpec) *running {
	t.Helper()
	s := &running{t: t, dir: t.TempDir(), done: make(chan struct{}), exited: make(chan *os.ProcessState, 1)}
	env := []string{"PROBE_DIR=" + s.dir}
	if !spec.noPath {
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
	files := append([]*os.File{stdin, stdout, errW}, spec.files...)
	if spec.noStderr {
		files[2] = nil
	}
	args := spec.argv
	if spec.argv0 != "" {
		args = append([]string{spec.argv0}, args[1:]...)
	}
	s.proc, err = os.StartProcess(spec.argv[0], args, &os.ProcAttr{Dir: spec.dir, Env: env, Files: files})
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
	for _, pid := range childPids(s.proc.Pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.proc.Signal(syscall.SIGKILL)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
}

func childPids(pid int) []int {
	var pids []int
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, task := range tasks {
		data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
		for _, f := range strings.Fields(string(data)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
	}
	return pids
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

// readReport reads what the probe serving the client at clientPort
// wrote.
func (s *running) readReport(clientPort string) *report {
	s.t.Helper()
	name := filepath.Join(s.dir, clientPort+".gob")
	var data []byte
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if data, err = os.ReadFile(name); err == nil {
			break
		}
	}
	if err != nil {
		s.t.Fatalf("no report from the probe for client port %s: %v; stderr:\n%s", clientPort, err, s.log())
	}
	r := new(report)
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(r); err != nil {
		s.t.Fatalf("report %s: %v", name, err)
	}
	return r
}

// dial connects to addr, retrying while the server is starting.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	return dialWith(t, &net.Dialer{Timeout: 5 * time.Second}, addr)
}

func dialWith(t *testing.T, d *net.Dialer, addr string) net.Conn {
	t.Helper()
	var err error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var c net.Conn
		if c, err = d.Dial("tcp", addr); err == nil {
			c.SetDeadline(time.Now().Add(30 * time.Second))
			return c
		}
	}
	t.Fatalf("connecting to %s: %v", addr, err)
	return nil
}

// exchange connects to addr, reads the probe's answer line, closes, and
// returns the line and the client's port.
func (s *running) exchange(addr string) (string, string) {
	s.t.Helper()
	c := dial(s.t, addr)
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		s.t.Fatalf("reading from %s: %v; server's stderr:\n%s", addr, err, s.log())
	}
	return line, portOf(c.LocalAddr())
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// readAll reads what the server's child writes until it closes.
func readAll(c net.Conn) (string, error) {
	data, err := io.ReadAll(c)
	return string(data), err
}

// freePort is a port on 127.0.0.1 that nothing listens on just now.
func freePort(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return portOf(l.Addr())
}

// probePath is the probe as next-prog; its mode is PROBE_MODE in the
// server's environment.
func probePath() string {
	self, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return self
}

// accept is a command line: tcp-socket-accept with args, then the probe.
func accept(args ...string) []string {
	return append(append([]string{tsaBinary}, args...), probePath())
}
