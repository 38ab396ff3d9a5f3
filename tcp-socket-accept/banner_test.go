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
	s := start(t, serverSpec{argv: accept("-v", "-C", "1", "-x", cdb, "-B", publicfileBanner, "sh", "-c", "echo served; exec sleep 2"), files: []*os.File{l}})
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

// TestBannerClientsNotReading: clients that never read, with the longest
// banner and the least receive buffer, do not hold up the server: one
// that reads after them is served.
func TestBannerClientsNotReading(t *testing.T) {
	banner := strings.Repeat("b", bannerMax-2) + "\r\n"
	l, addr := listener(t, "127.0.0.1", -1)
	s := start(t, serverSpec{argv: accept("-c", "100", "-B", banner, "sh", "-c", "echo served; exec sleep 5"), files: []*os.File{l}})
	tiny := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1) })
		return nil
	}}
	for i := 0; i < 30; i++ {
		c := dialWith(t, tiny, addr)
		defer c.Close()
	}
	c := dial(t, addr)
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	want := banner + "served\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil || string(got) != want {
		t.Errorf("the reading client got %d bytes, %v; want the banner and the child's line; stderr:\n%s", len(got), err, s.log())
	}
	if log := s.log(); log != "" {
		t.Errorf("stderr:\n%s\nwant nothing", log)
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
		if _, ok := err.(bannerError); !ok {
			t.Errorf("sendBanner on a full connection: %v; want a bannerError", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sendBanner waited for a client that does not read")
	}
}
