package main

import (
	"errors"
	"math"
	"strconv"
)

// The environment next-prog gets: the caller's, exactly (readEnviron),
// with the variables that tell it about its sockets.

// listenFDs is how many listening descriptors the caller has passed on
// already, by the systemd convention: LISTEN_FDS when LISTEN_PID is this
// process, pid. Both are read as strtoul reads them, and a missing,
// malformed or stale value counts as none passed, as in the C original.
// A count that puts 3+n past the largest descriptor number is an error,
// and so is a negative one: the C original wraps it round (-1 is
// 4294967295), truncates it to an unsigned int and adds 3, which can put
// the socket on standard error.
func listenFDs(env []string, pid int) (int, error) {
	if !passedToMe(env, pid) {
		return 0, nil
	}
	s, _ := getenv(env, "LISTEN_FDS")
	lf, neg, err := strtoul(s)
	number := err == nil || errors.Is(err, errRange)
	switch {
	case number && neg:
		return 0, errors.New("LISTEN_FDS " + quote(s) + ": a negative count")
	case number && (err != nil || lf > math.MaxInt32-firstListenFD):
		return 0, errors.New("LISTEN_FDS " + quote(s) + ": too many descriptors: 3+n must be at most " + strconv.Itoa(math.MaxInt32))
	case err != nil:
		return 0, nil
	}
	return int(lf), nil
}

// exportEnv sets the variables that tell next-prog about its sockets,
// given that n were passed on before this one. Every other entry stays as
// it was, in its place.
func exportEnv(env []string, c config, n, pid int) []string {
	if c.upstart {
		env = setenv(env, "UPSTART_EVENTS", "socket")
		env = setenv(env, "UPSTART_FDS", strconv.Itoa(firstListenFD+n))
	}
	if c.systemd {
		env = setenv(env, "LISTEN_FDS", strconv.Itoa(n+1))
		env = setenv(env, "LISTEN_PID", strconv.Itoa(pid))
	}
	return env
}
