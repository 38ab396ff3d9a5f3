package main

import (
	"errors"
	"strconv"
	"syscall"
)

// listening is what a listening socket is asked for; sock.go says which
// options each system needs for it.
type listening struct {
	reuseAddress bool
	reusePort    bool
	bindToAny    bool // bind to an address no interface has
	combine4and6 bool // IPv4 clients on an IPv6 socket, as mapped addresses
	ipv6         bool // the socket is AF_INET6
}

// listenOn opens a socket for a, sets the options c asks for, binds and
// listens. The socket is close-on-exec until it is placed.
func listenOn(a address, c config) (int, error) {
	opts, err := listening{
		reuseAddress: !c.noReuseAddress,
		reusePort:    c.reusePort,
		bindToAny:    c.bindToAny,
		combine4and6: c.combine4and6,
		ipv6:         a.family() == syscall.AF_INET6,
	}.options()
	if err != nil {
		return -1, err
	}
	fd, err := openSocket(a.family())
	if err != nil {
		return -1, stepError("socket for", a, err)
	}
	for _, o := range opts {
		if err := setOption(fd, o); err != nil {
			return -1, stepError("setsockopt "+o.label+" on", a, err)
		}
	}
	if err := syscall.Bind(fd, a.sockaddr()); err != nil {
		return -1, stepError("bind", a, err)
	}
	if err := syscall.Listen(fd, c.backlog); err != nil {
		return -1, stepError("listen", a, err)
	}
	return fd, nil
}

func stepError(step string, a address, err error) error {
	return errors.New(step + " " + a.String() + ": " + err.Error())
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// printPort writes the port that the socket fd is bound to, in decimal,
// and a newline, on standard output, as tcpserver -1 does: with port 0,
// the kernel chose it. The write is one system call, not package os's,
// so that a closed pipe is an error here rather than SIGPIPE.
func printPort(fd int) error {
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return errors.New("getsockname: " + err.Error())
	}
	var port int
	switch sa := sa.(type) {
	case *syscall.SockaddrInet4:
		port = sa.Port
	case *syscall.SockaddrInet6:
		port = sa.Port
	}
	line := []byte(strconv.Itoa(port) + "\n")
	for len(line) > 0 {
		n, err := syscall.Write(1, line)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return errors.New("writing the port on standard output: " + err.Error())
		}
		line = line[n:]
	}
	return nil
}
