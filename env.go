package main

import (
	"math"
	"strconv"
)

// listenFDs is how many listening descriptors the caller has passed on
// already, by the systemd convention: LISTEN_FDS when LISTEN_PID is this
// process. As in the C original, both are read as strtoul reads them, and
// a missing, malformed, stale or oversized value counts as none passed.
func listenFDs(env []string, pid int) int {
	lp, ok := envNumber(env, "LISTEN_PID")
	if !ok || lp != uint64(pid) {
		return 0
	}
	lf, ok := envNumber(env, "LISTEN_FDS")
	if !ok || lf > math.MaxInt32 {
		return 0
	}
	return int(lf)
}

// envNumber reads name's value as a whole unsigned number.
func envNumber(env []string, name string) (uint64, bool) {
	s, ok := getenv(env, name)
	if !ok {
		return 0, false
	}
	v, neg, err := strtoul(s)
	return v, err == nil && !neg
}

// exportEnv sets the variables that tell next-prog about its sockets,
// given that n were passed on before this one. Every other variable stays
// as it was, in its place.
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

// getenv finds name's first entry, which is the one getenv(3) would find.
func getenv(env []string, name string) (string, bool) {
	if i := envIndex(env, name); i >= 0 {
		return env[i][len(name)+1:], true
	}
	return "", false
}

// setenv replaces name's first entry where it stands, or adds one at the
// end.
func setenv(env []string, name, value string) []string {
	if i := envIndex(env, name); i >= 0 {
		env[i] = name + "=" + value
		return env
	}
	return append(env, name+"="+value)
}

func envIndex(env []string, name string) int {
	for i, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return i
		}
	}
	return -1
}
