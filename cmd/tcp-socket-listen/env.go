package main

import (
	"strconv"

	"tcp-socket-tools/internal/environ"
)

// exportEnv sets the variables that tell next-prog about its sockets,
// given that n were passed on before this one. Every other entry stays as
// it was, in its place.
func exportEnv(env []string, c config, n, pid int) []string {
	if c.upstart {
		env = environ.Set(env, "UPSTART_EVENTS", "socket")
		env = environ.Set(env, "UPSTART_FDS", strconv.Itoa(environ.FirstListenFD+n))
	}
	if c.systemd {
		env = environ.Set(env, "LISTEN_FDS", strconv.Itoa(n+1))
		env = environ.Set(env, "LISTEN_PID", strconv.Itoa(pid))
	}
	return env
}
