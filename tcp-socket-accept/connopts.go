package main

import "syscall"

// connOptions is what an accepted connection is asked for.
type connOptions struct {
	keepAlive bool // SO_KEEPALIVE
	noDelay   bool // TCP_NODELAY: no Nagle algorithm
}

// list lists the options that turn on what c asks for; what it does
// not ask for is left as accept(2) gives it. The names are the same on
// every system.
func (c connOptions) list() []sockOption {
	var opts []sockOption
	if c.keepAlive {
		opts = append(opts, sockOption{"SO_KEEPALIVE", syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1})
	}
	if c.noDelay {
		opts = append(opts, sockOption{"TCP_NODELAY", syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1})
	}
	return opts
}

// clearsIPOptions tells whether the server clears the IP options of an
// IPv4 connection on sys, a value of runtime.GOOS; mapped is for an IPv4
// client of an IPv6 socket. Linux hands the IPv4 options of such a
// connection to IPv4's code. FreeBSD, NetBSD and macOS hand every option
// of an IPv6 socket to IPv6's (tcp_ctloutput), which refuses IP_OPTIONS;
// their kernels drop a source-routed packet unless told to accept one
// (the sysctls net.inet.ip.accept_sourceroute, allowsrcrt), so by default
// there are no options to clear. OpenBSD and DragonFly have no such
// connections.
func clearsIPOptions(sys string, mapped bool) bool {
	return !mapped || sys == "linux"
}

// clearIPOptions empties the IP options of fd, an IPv4 connection, so that
// a client cannot source-route the replies.
func clearIPOptions(fd int) error {
	return syscall.SetsockoptString(fd, syscall.IPPROTO_IP, syscall.IP_OPTIONS, "")
}
