//go:build linux

package testkit

import (
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"unsafe"

	"tcp-socket-listen/internal/machine"
)

// ConnReport is descriptor 0 as a TCP connection: the options set on it
// and both its ends.
type ConnReport struct {
	KeepAlive int
	NoDelay   int
	IPOptions int // bytes of IP options on the connection
	Local     string
	Peer      string
}

// connProbe is the probe as a server's child, serving the connection on
// descriptors 0 and 1. It counts its parent's children, writes its report
// into dir, named for its client's port ($TCPREMOTEPORT), then, by mode:
// "report" (or none) answers "ok N" (N the count) and exits; "hold"
// answers and waits for its client to close; "exit=C" exits with code C
// at once, reporting nothing.
func connProbe(dir, mode string) int {
	if c, ok := CutPrefix(mode, "exit="); ok {
		n, _ := strconv.Atoi(c)
		return n
	}
	siblings := Children(os.Getppid())
	r := inherited()
	r.Siblings = siblings
	r.Conn.KeepAlive, _ = syscall.GetsockoptInt(0, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	r.Conn.NoDelay, _ = syscall.GetsockoptInt(0, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	r.Conn.IPOptions = ipOptionsLen(0)
	if sa, err := syscall.Getsockname(0); err == nil {
		r.Conn.Local = SockaddrText(sa)
	}
	if sa, err := syscall.Getpeername(0); err == nil {
		r.Conn.Peer = SockaddrText(sa)
	}
	if rc := writeReport(r, filepath.Join(dir, os.Getenv("TCPREMOTEPORT")+".gob")); rc != 0 {
		return rc
	}
	syscall.Write(1, []byte("ok "+strconv.Itoa(siblings)+"\n"))
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

// ipOptionsLen is how many bytes of IP options fd holds, or -1.
func ipOptionsLen(fd int) int {
	var buf [40]byte
	n := uint32(len(buf))
	if getsockopt(fd, syscall.IPPROTO_IP, syscall.IP_OPTIONS, unsafe.Pointer(&buf[0]), &n) != 0 {
		return -1
	}
	return int(n)
}

// SockaddrText is sa as host:port, or "" if it is not an IP address.
func SockaddrText(sa syscall.Sockaddr) string {
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		return net.JoinHostPort(net.IP(sa.Addr[:]).String(), strconv.Itoa(sa.Port))
	case *syscall.SockaddrInet6:
		return net.JoinHostPort(net.IP(sa.Addr[:]).String(), strconv.Itoa(sa.Port))
	}
	return ""
}

// Children counts pid's children at one moment. The lists are read a
// task at a time, so one reading can hold a child that ended after its
// task was read beside one that started before a later task was: they
// are read until two readings name the same children, who then were all
// alive at once, at the start of the second reading.
func Children(pid int) int {
	var last []int
	for try := 0; try < 50; try++ {
		pids := machine.ChildPids(pid)
		sort.Ints(pids)
		if try > 0 && equalInts(pids, last) {
			return len(pids)
		}
		last = pids
	}
	return len(last)
}
