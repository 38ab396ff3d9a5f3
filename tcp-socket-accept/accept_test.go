//go:build linux

package main

import (
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// checkChild checks what every child must get: the connection on 0 and 1,
// blocking, the server's stderr on 2, nothing else, and the UCSPI
// variables for its client.
func checkChild(t *testing.T, r *testkit.Report, localIP, localPort, remoteIP, remotePort string) {
	t.Helper()
	want := map[string]string{"PROTO": "TCP", "TCPLOCALIP": localIP, "TCPLOCALPORT": localPort, "TCPREMOTEIP": remoteIP, "TCPREMOTEPORT": remotePort}
	for name, v := range want {
		if got, _ := testkit.GetenvIn(r.Raw, name); got != v {
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
		"UPSTART_FDS=3", "UPSTART_EVENTS=socket", "TCPLOCALHOST=stale", "TCPREMOTEIP=stale", "PROTO=UDP", "PROBE_MODE=report"}
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
			got, ok := testkit.GetenvIn(r.Raw, "TCPLOCALHOST")
			if !ok {
				got = "-"
			}
			if got != c.localHost {
				t.Errorf("TCPLOCALHOST %q; want %q", got, c.localHost)
			}
		})
	}
}

// TestIPOptionsOnCombinedSocket: an IPv4 client of an IPv6 socket that
// takes IPv4 too has its IP options cleared as on an IPv4 socket (Linux
// routes IPPROTO_IP options of a mapped connection to IPv4's code).
func TestIPOptionsOnCombinedSocket(t *testing.T) {
	for _, c := range []struct {
		opts      []string
		ipOptions int
	}{{nil, 0}, {[]string{"-o"}, 8}} {
		l, addr := listener(t, "::", 0)
		_, port, _ := net.SplitHostPort(addr)
		s := start(t, serverSpec{argv: accept(c.opts...), files: []*os.File{l}, env: []string{"PROBE_MODE=report"}})
		conn := dialWith(t, recordRoute, net.JoinHostPort("127.0.0.1", port))
		readAll(conn)
		conn.Close()
		r := s.readReport(portOf(conn.LocalAddr()))
		if r.Conn.IPOptions != c.ipOptions {
			t.Errorf("%q: the child's connection has %d bytes of IP options; want %d", c.opts, r.Conn.IPOptions, c.ipOptions)
		}
	}
}

// TestStaleConnNumRemoved: without -C, a TCPCONNNUM that the server
// inherited, from an outer server say, counts that server's connections:
// the child does not get it. (With -C it is set: TestPerHostLimit.)
func TestStaleConnNumRemoved(t *testing.T) {
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept(), files: []*os.File{l}, env: []string{"PROBE_MODE=report", "TCPCONNNUM=7", "TCPCONNNUM=8"}})
	_, port := s.exchange(addr)
	if v, ok := testkit.GetenvIn(s.readReport(port).Raw, "TCPCONNNUM"); ok {
		t.Errorf("the child has TCPCONNNUM=%s; want it removed", v)
	}
}
