//go:build linux

package testkit

import (
	"bytes"
	"encoding/gob"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// Report is what the probe found.
type Report struct {
	Pid     int
	Args    []string
	Env     []string // os.Environ()
	Raw     []string // /proc/self/environ
	Cwd     string
	FDs     map[int]FDReport // the descriptors it inherited
	SS      string           // ss -ltnH, when PROBE_SS is set
	Reached map[string]bool  // PROBE_DIAL's addresses: reached through descriptor 3?
	Served  int              // connections answered on descriptor 3, with PROBE_SERVE

	// As a server's child (PROBE_DIR): its parent, how many children
	// the parent had when the probe started, and its connection.
	Ppid     int
	Siblings int
	Conn     ConnReport
}

type FDReport struct {
	Link     string // where /proc/self/fd/N points
	Nonblock bool   // O_NONBLOCK, as F_GETFL shows it
	Socket   *SockReport
}

// SockReport holds getsockopt's answers, -1 where it gave none.
type SockReport struct {
	Family, Type                int
	AcceptConn, ReuseAddr       int
	ReusePort, FreeBind, V6Only int
	Addr                        netip.AddrPort
}

// soReusePortNative is SO_REUSEPORT on the machine running the tests,
// which is never MIPS; written out here rather than taken from the code
// under test.
const soReusePortNative = 0xf

func probe(out string) int {
	r := inherited()
	if os.Getenv("PROBE_SS") != "" {
		ss, err := exec.Command("ss", "-ltnH").Output()
		if err != nil {
			r.SS = "ss failed: " + err.Error()
		}
		r.SS += string(ss)
	}
	if dial := os.Getenv("PROBE_DIAL"); dial != "" {
		r.Reached = map[string]bool{}
		for _, host := range strings.Split(dial, ",") {
			r.Reached[host] = reachThrough3(host, r.FDs[3])
		}
	}
	if n := os.Getenv("PROBE_SERVE"); n != "" {
		r.Served = serveThrough3(n, os.Getenv("PROBE_GO"))
	}
	return writeReport(r, out)
}

// inherited is what every probe reports: what it was started with.
func inherited() Report {
	r := Report{Pid: os.Getpid(), Ppid: os.Getppid(), Args: os.Args, Env: os.Environ()}
	r.Raw, _ = RawEnviron() // nil without /proc
	r.FDs = InheritedFDs()
	r.Cwd, _ = os.Getwd()
	return r
}

// writeReport writes r to out whole, renamed into place, so that a reader
// waiting for out never sees half of it.
func writeReport(r Report, out string) int {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return 3
	}
	if err := os.WriteFile(out+".tmp", buf.Bytes(), 0o600); err != nil {
		return 3
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return 3
	}
	return 0
}

// InheritedFDs lists the open descriptors without FD_CLOEXEC: only those
// can have come through exec; the rest this process opened itself.
func InheritedFDs() map[int]FDReport {
	fds := map[int]FDReport{}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		fd, _ := strconv.Atoi(e.Name())
		r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if errno != 0 || r&syscall.FD_CLOEXEC != 0 {
			continue
		}
		fl, _, _ := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFL, 0)
		link, _ := os.Readlink("/proc/self/fd/" + e.Name())
		f := FDReport{Link: link, Nonblock: fl&syscall.O_NONBLOCK != 0}
		if strings.HasPrefix(link, "socket:") {
			f.Socket = readSocket(fd)
		}
		fds[fd] = f
	}
	return fds
}

func readSocket(fd int) *SockReport {
	get := func(level, opt int) int {
		v, err := syscall.GetsockoptInt(fd, level, opt)
		if err != nil {
			return -1
		}
		return v
	}
	s := &SockReport{
		Family:     get(syscall.SOL_SOCKET, syscall.SO_DOMAIN),
		Type:       get(syscall.SOL_SOCKET, syscall.SO_TYPE),
		AcceptConn: get(syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN),
		ReuseAddr:  get(syscall.SOL_SOCKET, syscall.SO_REUSEADDR),
		ReusePort:  get(syscall.SOL_SOCKET, soReusePortNative),
		FreeBind:   get(syscall.SOL_IP, syscall.IP_FREEBIND),
		V6Only:     get(syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY),
	}
	switch sa := sockname(fd).(type) {
	case *syscall.SockaddrInet4:
		s.Addr = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *syscall.SockaddrInet6:
		ip := netip.AddrFrom16(sa.Addr)
		if sa.ZoneId != 0 {
			ip = ip.WithZone(strconv.Itoa(int(sa.ZoneId)))
		}
		s.Addr = netip.AddrPortFrom(ip, uint16(sa.Port))
	}
	return s
}

func sockname(fd int) syscall.Sockaddr {
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return nil
	}
	return sa
}
