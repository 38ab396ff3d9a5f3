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

// clearIPOptions empties the IP options of fd, an IPv4 connection, so that
// a client cannot source-route the replies. A system or socket that has
// no IP options to clear (ENOPROTOOPT, EINVAL) is no error.
func clearIPOptions(fd int) error {
	err := syscall.SetsockoptString(fd, syscall.IPPROTO_IP, syscall.IP_OPTIONS, "")
	if err == syscall.ENOPROTOOPT || err == syscall.EINVAL {
		return nil
	}
	return err
}
