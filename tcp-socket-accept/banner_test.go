//go:build linux

package main

import (
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"tcp-socket-listen/internal/machine"
)

// publicfileBanner is the banner of publicfile's ftpd run script, as its
// configure writes it: tcpserver -B'220 Features: a p .\r\n'.
const publicfileBanner = "220 Features: a p .\r\n"

// TestBanner: -B's banner comes before what next-prog writes, to each
// client the rules allow; a client the rules deny, or one turned away at
// its -C limit, gets nothing, where tcpserver writes the banner before
// it consults the rules.
func TestBanner(t *testing.T) {
	cdb := compileRules(t, t.TempDir(), "rules.cdb", "127.0.0.2:deny\n:allow\n")
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-v", "-C", "1", "-x", cdb, "-B", publicfileBanner, "sh", "-c", "echo served; exec sleep 30"), files: []*os.File{l}})
	first := dialFrom(t, "127.0.0.1", addr)
	defer first.Close()
	first.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := publicfileBanner + "served\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(first, got); err != nil || string(got) != want {
		t.Errorf("an allowed client got %q, %v; want %q; stderr:\n%s", got, err, want, s.log())
	}
	for _, src := range []string{"127.0.0.2", "127.0.0.1"} {
		c := dialFrom(t, src, addr)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		data, err := io.ReadAll(c)
		c.Close()
		if len(data) != 0 || err != nil {
			t.Errorf("a client from %s, turned away, got %q, %v; want the connection closed with nothing written", src, data, err)
		}
	}
	s.waitLog(`refused 127\.0\.0\.2 \d+ rule 127\.0\.0\.2:deny\n`)
	s.waitLog(`refused 127\.0\.0\.1 \d+ per-host limit 1\n`)
}

// TestBannerAtLeastBuffer: the longest banner goes at once on a
// connection with the least send buffer the kernel gives (SO_SNDBUF 1,
// raised to its floor, set on the listener and so on each connection),
// to a client with the least receive buffer that does not read: the
// bound on -B is one every connection meets.
func TestBannerAtLeastBuffer(t *testing.T) {
	banner := strings.Repeat("b", bannerMax-2) + "\r\n"
	l, addr := listener(t, "127.0.0.1", -1)
	if err := syscall.SetsockoptInt(int(l.Fd()), syscall.SOL_SOCKET, syscall.SO_SNDBUF, 1); err != nil {
		t.Fatal(err)
	}
	s := start(t, serverSpec{argv: accept("-B", banner, "sh", "-c", "exec sleep 30"), files: []*os.File{l}})
	tiny := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1) })
		return nil
	}}
	c := dialWith(t, tiny, addr)
	defer c.Close()
	// Read only once the server is done with the connection: its child
	// runs, or its ERROR line is out.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.log(), "ERROR") && time.Now().Before(deadline) {
		if len(machine.ChildPids(s.proc.Pid)) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(banner))
	if n, err := io.ReadFull(c, got); err != nil || string(got) != banner {
		t.Errorf("the client got %d bytes of the banner, %v; want all %d; stderr:\n%s", n, err, len(banner), s.log())
	}
}

// TestSendBannerDoesNotWait: on a connection whose send buffer is full,
// sendBanner says so at once rather than wait for the client to read.
func TestSendBannerDoesNotWait(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	fill := make([]byte, 65536)
	for {
		if _, err := syscall.SendmsgN(fds[0], fill, nil, nil, syscall.MSG_DONTWAIT); err != nil {
			break
		}
	}
	done := make(chan error, 1)
	go func() { done <- sendBanner(fds[0], publicfileBanner) }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("sendBanner on a full connection said nothing; want an error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sendBanner waited for a client that does not read")
	}
}
