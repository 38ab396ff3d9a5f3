//go:build linux

package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// TestEchoExample runs the spec's Usage as the manual pages write it:
// tcp-socket-listen 127.0.0.1 7 tcp-socket-accept cat (on another port if
// 7 is taken on this machine).
func TestEchoExample(t *testing.T) {
	port := "7"
	if l, err := net.Listen("tcp", "127.0.0.1:7"); err != nil {
		port = testkit.FreePortOn(t, "127.0.0.1")
	} else {
		l.Close()
	}
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, tsaBinary, "cat"}})
	var conns []net.Conn
	for i := 0; i < 3; i++ {
		c := dial(t, net.JoinHostPort("127.0.0.1", port))
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		msg := "line " + strconv.Itoa(i) + "\n"
		io.WriteString(c, msg)
		if line, err := bufio.NewReader(c).ReadString('\n'); line != msg {
			t.Errorf("echo of %q: %q, %v; stderr:\n%s", msg, line, err, s.log())
		}
	}
}

// TestSetuidgidBetween runs the spec's other Usage: listen as root, then
// chain through daemontools' setuidgid, so that the server and its
// children run as nobody on the socket that root opened.
func TestSetuidgidBetween(t *testing.T) {
	setuidgid := testkit.SystemProgram(t, "setuidgid", "daemontools")
	if os.Geteuid() != 0 {
		t.Skip("setuidgid needs root to change user")
	}
	port := testkit.FreePortOn(t, "127.0.0.1")
	s := start(t, serverSpec{argv: []string{tslBinary, "127.0.0.1", port, setuidgid, "nobody", tsaBinary,
		"/bin/sh", "-c", `echo "$(id -u) $(id -g) $PROTO $TCPLOCALPORT"`}})
	c := dial(t, net.JoinHostPort("127.0.0.1", port))
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if want := "65534 65534 TCP " + port + "\n"; line != want {
		t.Errorf("the child said %q, %v; want %q; stderr:\n%s", line, err, want, s.log())
	}
}
