//go:build linux

package testkit

import (
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// SocketAt is the socket the probe found on fd, failing the test if none.
func SocketAt(t *testing.T, r *Report, fd int) *SockReport {
	t.Helper()
	f, ok := r.FDs[fd]
	if !ok || f.Socket == nil {
		t.Fatalf("no socket on descriptor %d; descriptors: %v", fd, r.FDs)
	}
	return f.Socket
}

// Backlog is the Send-Q that ss shows for the listening socket at a.
func Backlog(t *testing.T, r *Report, a netip.AddrPort) int {
	t.Helper()
	want := a.String()
	if a.Addr() == netip.IPv6Unspecified() {
		want = "*:" + strconv.Itoa(int(a.Port())) // ss's name for a dual-stack ::
	}
	for _, line := range strings.Split(r.SS, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "LISTEN" && (f[3] == a.String() || f[3] == want) {
			n, err := strconv.Atoi(f[2])
			if err != nil {
				t.Fatalf("ss line %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatalf("ss shows no listener at %v:\n%s", a, r.SS)
	return -1
}

// SockWant is what a test expects of the socket on descriptor 3.
type SockWant struct {
	Family                     int
	IP                         string
	ReuseAddr, ReusePort, Free int
	V6Only                     int // -1 for IPv4
	Backlog                    int
}

func CheckSocket(t *testing.T, r *Report, fd int, w SockWant) {
	t.Helper()
	s := SocketAt(t, r, fd)
	got := SockWant{s.Family, s.Addr.Addr().String(), s.ReuseAddr, s.ReusePort, s.FreeBind, s.V6Only, Backlog(t, r, s.Addr)}
	if got != w {
		t.Errorf("socket on %d:\n got %+v\nwant %+v", fd, got, w)
	}
	if s.Type != syscall.SOCK_STREAM || s.AcceptConn != 1 {
		t.Errorf("socket on %d: type %d, SO_ACCEPTCONN %d; want a listening stream socket", fd, s.Type, s.AcceptConn)
	}
}
