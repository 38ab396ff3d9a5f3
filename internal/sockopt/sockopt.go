// Package sockopt says which socket options each system needs for what a
// command asks, in the order they are set, and opens sockets that are
// closed on exec until a command places them.
package sockopt

import "syscall"

// Option is one integer socket option; Label names it in messages.
type Option struct {
	Label       string
	Level, Name int
	Value       int
}

// Listening is what a listening socket is asked for.
type Listening struct {
	ReuseAddress bool
	ReusePort    bool
	BindToAny    bool // bind to an address no interface has
	Combine4and6 bool // IPv4 clients on an IPv6 socket, as mapped addresses
	IPv6         bool // the socket is AF_INET6
}

// Set sets o on fd.
func Set(fd int, o Option) error {
	return syscall.SetsockoptInt(fd, o.Level, o.Name, o.Value)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
