//go:build linux

package main

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tcp-socket-tools/internal/testkit"
)

// envOf is name's value in env, as getenv(3) finds it.
func envOf(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// checkChild checks what every child must get: the connection on 0 and 1,
// blocking, the server's stderr on 2, nothing else, and the UCSPI
// variables for its client.
func checkChild(t *testing.T, r *testkit.Report, localIP, localPort, remoteIP, remotePort string) {
	t.Helper()
	want := map[string]string{"PROTO": "TCP", "TCPLOCALIP": localIP, "TCPLOCALPORT": localPort, "TCPREMOTEIP": remoteIP, "TCPREMOTEPORT": remotePort}
	for name, v := range want {
		if got, _ := envOf(r.Raw, name); got != v {
			t.Errorf("%s=%q; want %q", name, got, v)
		}
	}
	for _, fd := range []int{0, 1} {
		f, ok := r.FDs[fd]
		if !ok || !strings.HasPrefix(f.Link, "socket:") || f.Nonblock {
			t.Errorf("descriptor %d: %+v; want the connection, blocking", fd, f)
		}
	}
	if r.FDs[0].Link != r.FDs[1].Link {
		t.Errorf("descriptors 0 and 1 are %s and %s; want the same connection", r.FDs[0].Link, r.FDs[1].Link)
	}
	if f, ok := r.FDs[2]; !ok || !strings.HasPrefix(f.Link, "pipe:") {
		t.Errorf("descriptor 2: %+v; want the server's stderr, a pipe", f)
	}
	if len(r.FDs) != 3 {
		t.Errorf("descriptors %v; want 0, 1 and 2 only", r.FDs)
	}
	if r.Conn.Local != net.JoinHostPort(localIP, localPort) && !strings.HasPrefix(localIP, "::ffff:") {
		t.Errorf("getsockname on 0: %s; want %s", r.Conn.Local, net.JoinHostPort(localIP, localPort))
	}
}

// TestChainedFromListen runs the spec's Usage: tcp-socket-listen chained
// into tcp-socket-accept, for each address family.
func TestChainedFromListen(t *testing.T) {
	cases := []struct {
		listenArgs        []string
		dialHost, localIP string
		remoteIP          string
	}{
		{[]string{"127.0.0.1"}, "127.0.0.1", "127.0.0.1", "127.0.0.1"},
		{[]string{"::1"}, "::1", "::1", "::1"},
		// A combined socket: an IPv4 client is an IPv4-mapped address,
		// as inet_ntop writes it.
		{[]string{"--combine4and6", "::"}, "127.0.0.1", "::ffff:127.0.0.1", "::ffff:127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.listenArgs, " "), func(t *testing.T) {
			port := testkit.FreePortOn(t, c.dialHost)
			argv := append(append([]string{tslBinary}, c.listenArgs...), port)
			argv = append(argv, append(accept(), "a", "", "b c")...)
			s := start(t, serverSpec{argv: argv, env: []string{"PROBE_MODE=report"}})
			line, clientPort := s.exchange(net.JoinHostPort(c.dialHost, port))
			if line != "ok 1\n" {
				t.Errorf("answer %q; want \"ok 1\\n\"", line)
			}
			r := s.readReport(clientPort)
			checkChild(t, r, c.localIP, port, c.remoteIP, clientPort)
			if want := []string{testkit.ProbePath(), "a", "", "b c"}; !reflect.DeepEqual(r.Args, want) {
				t.Errorf("argv %q; want %q", r.Args, want)
			}
			if r.Ppid != s.proc.Pid {
				t.Errorf("the child's parent is %d; want the server, %d", r.Ppid, s.proc.Pid)
			}
		})
	}
}

// TestEnvironmentExact: the child's environment is the server's byte for
// byte, repeated names, empty entries and all, changed only in the UCSPI
// variables.
func TestEnvironmentExact(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	host, port, _ := net.SplitHostPort(addr)
	env := []string{"Z=last first", "BYTES=\xff\xfe\x80 not UTF-8", "NOEQUALS", "DUP=1", "DUP=2", "EMPTY=", "", "=nameless",
		"TCPLOCALINFO=x", "TCPREMOTEHOST=x", "TCPREMOTEINFO=x", "TCPREMOTEINFO=y", "LISTEN_FDS=1", "LISTEN_PID=1", "LISTEN_FDNAMES=x",
		"TCPLOCALHOST=stale", "TCPREMOTEIP=stale", "PROTO=UDP", "PROBE_MODE=report"}
	s := start(t, serverSpec{argv: accept(), env: env, files: []*os.File{l}})
	_, clientPort := s.exchange(addr)
	r := s.readReport(clientPort)
	want := []string{"PROBE_DIR=" + s.dir, "PATH=" + os.Getenv("PATH"), "Z=last first", "BYTES=\xff\xfe\x80 not UTF-8", "NOEQUALS", "DUP=1", "DUP=2", "EMPTY=", "", "=nameless",
		"TCPREMOTEIP=" + host, "PROTO=TCP", "PROBE_MODE=report",
		"TCPLOCALIP=" + host, "TCPLOCALPORT=" + port, "TCPREMOTEPORT=" + clientPort}
	if !reflect.DeepEqual(r.Raw, want) {
		t.Errorf("environment\n got %q\nwant %q", r.Raw, want)
	}
}

// recordRoute is a client that asks for IP option Record Route, which
// the server's end of the connection then holds, reversed.
var recordRoute = &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, c syscall.RawConn) error {
	var err error
	c.Control(func(fd uintptr) {
		err = syscall.SetsockoptString(int(fd), syscall.IPPROTO_IP, syscall.IP_OPTIONS, "\x07\x07\x04\x00\x00\x00\x00\x00")
	})
	return err
}}

// TestConnectionOptions reads each option back with getsockopt in the
// child.
func TestConnectionOptions(t *testing.T) {
	cases := []struct {
		opts               []string
		keepAlive, noDelay int
		ipOptions          int
		localHost          string // TCPLOCALHOST, "-" for unset
	}{
		{nil, 0, 0, 0, "-"},
		{[]string{"-k"}, 1, 0, 0, "-"},
		{[]string{"--keepalives"}, 1, 0, 0, "-"},
		{[]string{"--keepalives", "--no-keepalives"}, 0, 0, 0, "-"},
		{[]string{"-D"}, 0, 1, 0, "-"},
		{[]string{"--no-delay"}, 0, 1, 0, "-"},
		{[]string{"-o"}, 0, 0, 8, "-"},
		{[]string{"--no-kill-IP-options"}, 0, 0, 8, "-"},
		{[]string{"-l", "example.org"}, 0, 0, 0, "example.org"},
		{[]string{"--localname=", "-kDo"}, 1, 1, 8, ""},
		{[]string{"-vkDol0"}, 1, 1, 8, "0"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.opts, " "), func(t *testing.T) {
			l, addr := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: accept(c.opts...), files: []*os.File{l}, env: []string{"PROBE_MODE=report", "TCPLOCALHOST=inherited"}})
			conn := dialWith(t, recordRoute, addr)
			readAll(conn)
			conn.Close()
			r := s.readReport(portOf(conn.LocalAddr()))
			if r.Conn.KeepAlive != c.keepAlive || r.Conn.NoDelay != c.noDelay || r.Conn.IPOptions != c.ipOptions {
				t.Errorf("SO_KEEPALIVE %d, TCP_NODELAY %d, IP options %d bytes; want %d, %d, %d",
					r.Conn.KeepAlive, r.Conn.NoDelay, r.Conn.IPOptions, c.keepAlive, c.noDelay, c.ipOptions)
			}
			got, ok := envOf(r.Raw, "TCPLOCALHOST")
			if !ok {
				got = "-"
			}
			if got != c.localHost {
				t.Errorf("TCPLOCALHOST %q; want %q", got, c.localHost)
			}
		})
	}
}

// TestSystemdListeners chains two and three tcp-socket-listen with
// --systemd-compatibility into one server, which serves them all.
func TestSystemdListeners(t *testing.T) {
	for _, hosts := range [][]string{{"127.0.0.1", "::1"}, {"127.0.0.1", "::1", "127.0.0.2"}} {
		t.Run(strings.Join(hosts, " "), func(t *testing.T) {
			var argv, addrs []string
			for _, h := range hosts {
				port := testkit.FreePortOn(t, h)
				argv = append(argv, tslBinary, "--systemd-compatibility", h, port)
				addrs = append(addrs, net.JoinHostPort(h, port))
			}
			s := start(t, serverSpec{argv: append(argv, accept()...), env: []string{"PROBE_MODE=report"}})
			for i, addr := range addrs {
				line, port := s.exchange(addr)
				if !strings.HasPrefix(line, "ok ") {
					t.Errorf("%s: %q", addr, line)
				}
				r := s.readReport(port)
				host, lport, _ := net.SplitHostPort(addr)
				remote := host
				if i != 1 {
					remote = "127.0.0.1" // Linux's source address for all of 127/8
				}
				checkChild(t, r, host, lport, remote, port)
				for _, name := range []string{"LISTEN_FDS", "LISTEN_PID"} {
					if v, ok := envOf(r.Raw, name); ok {
						t.Errorf("listener %d: the child has %s=%s; want it removed", i, name, v)
					}
				}
			}
		})
	}
}

// selfPid runs argv with LISTEN_PID set to its own pid, by a shell that
// execs it.
func selfPid(argv ...string) []string {
	return append([]string{"/bin/sh", "-c", `LISTEN_PID=$$ exec "$@"`, "sh"}, argv...)
}

// TestListenersServedFairly: while one listener has a long queue, a
// client of the other is served first or second, not after the queue.
func TestListenersServedFairly(t *testing.T) {
	busy, busyAddr := listener(t, "127.0.0.1", -1)
	quiet, quietAddr := listener(t, "::1", -1)
	s := start(t, serverSpec{argv: selfPid(accept("-v", "-c", "1")...), files: []*os.File{busy, quiet},
		env: []string{"PROBE_MODE=hold", "LISTEN_FDS=2"}})
	first := dial(t, busyAddr)
	if _, err := bufio.NewReader(first).ReadString('\n'); err != nil {
		t.Fatalf("first client: %v; stderr:\n%s", err, s.log())
	}
	const queued = 5
	order := make(chan string, queued+1)
	var wg sync.WaitGroup
	client := func(name, addr string) {
		c := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
				order <- name
			}
		}()
	}
	for i := 0; i < queued; i++ {
		client("busy", busyAddr)
	}
	client("quiet", quietAddr)
	time.Sleep(100 * time.Millisecond) // all in the backlogs
	first.Close()
	wg.Wait()
	close(order)
	var got []string
	for name := range order {
		got = append(got, name)
	}
	if len(got) != queued+1 {
		t.Fatalf("served %q; want all %d; stderr:\n%s", got, queued+1, s.log())
	}
	if got[0] != "quiet" && got[1] != "quiet" {
		t.Errorf("served in the order %q; want the quiet listener's client first or second", got)
	}
}

// TestInheritedDescriptorsPass: a descriptor the server inherited that is
// not a listener reaches every child as it was; the listener does not.
func TestInheritedDescriptorsPass(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	f, err := os.Create(filepath.Join(t.TempDir(), "inherited"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := start(t, serverSpec{argv: accept(), files: []*os.File{l, nil, f}, env: []string{"PROBE_MODE=report"}})
	_, port := s.exchange(addr)
	r := s.readReport(port)
	if got := r.FDs[5]; got.Link != f.Name() {
		t.Errorf("descriptor 5 in the child: %+v; want %s", got, f.Name())
	}
	for _, fd := range []int{3, 4} {
		if got, ok := r.FDs[fd]; ok {
			t.Errorf("descriptor %d in the child: %+v; want it closed", fd, got)
		}
	}
}
