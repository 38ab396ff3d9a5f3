package main

import (
	"errors"
	"syscall"

	"tcp-socket-tools/internal/sockopt"
)

// listenOn opens a socket for a, sets the options c asks for, binds and
// listens. The socket is close-on-exec until it is placed.
func listenOn(a address, c config) (int, error) {
	opts, err := sockopt.Listening{
		ReuseAddress: !c.noReuseAddress,
		ReusePort:    c.reusePort,
		BindToAny:    c.bindToAny,
		Combine4and6: c.combine4and6,
		IPv6:         a.family() == syscall.AF_INET6,
	}.Options()
	if err != nil {
		return -1, err
	}
	fd, err := sockopt.Open(a.family())
	if err != nil {
		return -1, stepError("socket for", a, err)
	}
	for _, o := range opts {
		if err := sockopt.Set(fd, o); err != nil {
			return -1, stepError("setsockopt "+o.Label+" on", a, err)
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
