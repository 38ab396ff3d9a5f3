package main

import (
	"errors"
	"strconv"
	"syscall"
)

// tcpserverLines are -v's lines in tcpserver's words, for the log
// parsers that read them (multilog's '+* * status: *' in publicfile's
// log/run, monitoring plugins): its "tcpserver: " prefix, and its status,
// pid, ok, deny and end lines, as Debian's tcpserver writes them.
type tcpserverLines struct {
	localName string // LOCALHOST in the ok and deny lines: -l's name
}

// setLogFormat reads --log-format: the C original's lines, or
// tcpserver's.
func (c *config) setLogFormat(s string) error {
	switch s {
	case "nosh", "tcpserver":
		c.tcpserverLog = s == "tcpserver"
		return nil
	}
	return errors.New("not nosh or tcpserver")
}

// status is "tcpserver: status: N/LIMIT", at start and when a child
// starts or ends.
func (t *tcpserverLines) status(n, limit int) string {
	return "tcpserver: status: " + fraction(n, limit) + "\n"
}

// started is "pid PID from REMOTEIP", then "ok PID" and both ends.
func (t *tcpserverLines) started(pid int, c connection) string {
	p := strconv.Itoa(pid)
	return "tcpserver: pid " + p + " from " + c.remoteIP + "\ntcpserver: ok " + p + " " + t.ends(c) + "\n"
}

// denied is "deny PID" and both ends, for a client turned away: PID is 0,
// since no child was started for it, where tcpserver's is the child's
// that read the rules.
func (t *tcpserverLines) denied(c connection) string {
	return "tcpserver: deny 0 " + t.ends(c) + "\n"
}

// ended is "end PID status WSTAT", the wait status as the kernel gives
// it (768 for an exit with code 3).
func (t *tcpserverLines) ended(pid int, ws syscall.WaitStatus) string {
	return "tcpserver: end " + strconv.Itoa(pid) + " status " + strconv.FormatUint(uint64(ws), 10) + "\n"
}

// ends are c's ends as tcpserver writes them, LOCALHOST:LOCALIP:LOCALPORT
// and REMOTEHOST:REMOTEIP:REMOTEINFO:REMOTEPORT, with the name -h found,
// if any, and no ident answer; the names as safecats writes them.
func (t *tcpserverLines) ends(c connection) string {
	return safe(t.localName) + ":" + c.localIP + ":" + c.localPort + " " + safe(c.remoteHost) + ":" + c.remoteIP + "::" + c.remotePort
}

// safe is the name s as tcpserver's safecats writes it in those lines: a
// control character, space, a byte above '~', '%' and ':' as '?', and
// after 100 bytes "..." in place of the rest. The addresses and ports go
// as they are: Debian's tcpserver knows IPv4 alone, and ucspi-tcp-ipv6's
// writes an IPv6 address's colons.
func safe(s string) string {
	b := []byte(s)
	if len(b) >= 100 {
		b = b[:100]
	}
	for i, c := range b {
		if c < 33 || c > 126 || c == '%' || c == ':' {
			b[i] = '?'
		}
	}
	if len(s) >= 100 {
		return string(b) + "..."
	}
	return string(b)
}
