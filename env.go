package main

import (
	"errors"
	"math"
	"strconv"
)

// listenFDs is how many listening descriptors the caller has passed on
// already, by the systemd convention: LISTEN_FDS when LISTEN_PID is this
// process. Both are read as strtoul reads them, and a missing, malformed
// or stale value counts as none passed, as in the C original. A count
// that puts 3+n past the largest descriptor number is an error: the C
// original truncates it to an unsigned int and adds 3, which can wrap
// around onto standard error.
func listenFDs(env []string, pid int) (int, error) {
	lp, ok := envNumber(env, "LISTEN_PID")
	if !ok || lp != uint64(pid) {
		return 0, nil
	}
	s, _ := getenv(env, "LISTEN_FDS")
	lf, neg, err := strtoul(s)
	switch {
	case errors.Is(err, errRange) && !neg, err == nil && !neg && lf > math.MaxInt32-firstListenFD:
		return 0, errors.New("LISTEN_FDS " + quoted(s) + ": too many descriptors: 3+n must be at most " + strconv.Itoa(math.MaxInt32))
	case err != nil || neg:
		return 0, nil
	}
	return int(lf), nil
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

// getenv finds name's first entry, which is the one getenv(3) would find.
func getenv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if isEntry(kv, name) {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// setenv gives every entry of name the value, where each stands, or adds
// one at the end. Of repeated entries, getenv(3), Go and Python read the
// first, but sh and bash the last: changing them all leaves no stale value
// for either to find.
func setenv(env []string, name, value string) []string {
	found := false
	for i, kv := range env {
		if isEntry(kv, name) {
			env[i] = name + "=" + value
			found = true
		}
	}
	if !found {
		env = append(env, name+"="+value)
	}
	return env
}

// isEntry tells whether kv is an entry for name: "name=" and its value.
func isEntry(kv, name string) bool {
	return len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name
}
