package main

import (
	"errors"
	"strconv"
	"syscall"
)

// Who the server runs as once it holds its listeners, as tcpserver's -U,
// -u and -g make it: the listeners are taken before, the first accept
// comes after.

// ids is a user and a group to become, each -1 for no change.
type ids struct {
	uid, gid int
}

// idsFrom resolves c's -u, -g and -U against env, the server's: -U reads
// $UID and $GID as envuidgid(8) sets them, unless a -u or -g after it
// says otherwise, as tcpserver reads its options in turn.
func idsFrom(c config, env []string) (ids, error) {
	i := ids{uid: c.uid, gid: c.gid}
	var err error
	if c.uidFromEnv {
		if i.uid, err = envID(env, "UID"); err != nil {
			return i, err
		}
	}
	if c.gidFromEnv {
		if i.gid, err = envID(env, "GID"); err != nil {
			return i, err
		}
	}
	return i, nil
}

// envID reads the ID in env's variable name, for -U.
func envID(env []string, name string) (int, error) {
	s, ok := getenv(env, name)
	if !ok {
		return 0, errors.New("-U: $" + name + " is not set (envuidgid sets it)")
	}
	n, err := idNumber(s)
	if err != nil {
		return 0, errors.New("-U: $" + name + " " + quote(s) + ": " + err.Error())
	}
	return n, nil
}

// idNumber reads a user or group ID in decimal, as tcpserver's
// scan_ulong does, but refuses what it would pass over: junk, a sign, a
// number past 31 bits, which a C int (and Go's int on 32-bit ports)
// would take for negative.
func idNumber(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		return 0, errors.New("not a decimal ID up to 2147483647")
	}
	return int(n), nil
}

// become gives up the server's privileges for i, as tcpserver's prot_gid
// and prot_uid do: its supplementary groups for the one group, then the
// group, then the user, last, while it may still change the others.
// Package syscall changes them in every thread of the process (on Linux,
// AllThreadsSyscall; gccgo's C library does the same), which /proc shows
// task by task.
func (i ids) become() error {
	if i.gid >= 0 {
		if err := syscall.Setgroups([]int{i.gid}); err != nil {
			return errors.New("setgroups " + strconv.Itoa(i.gid) + ": " + err.Error())
		}
		if err := syscall.Setgid(i.gid); err != nil {
			return errors.New("setgid " + strconv.Itoa(i.gid) + ": " + err.Error())
		}
	}
	if i.uid >= 0 {
		if err := syscall.Setuid(i.uid); err != nil {
			return errors.New("setuid " + strconv.Itoa(i.uid) + ": " + err.Error())
		}
	}
	return nil
}
