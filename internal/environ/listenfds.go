package environ

import (
	"errors"
	"math"
	"strconv"

	"tcp-socket-tools/internal/cparse"
	"tcp-socket-tools/internal/diag"
)

// FirstListenFD is where passed listening descriptors start
// (SD_LISTEN_FDS_START).
const FirstListenFD = 3

// ListenFDs is how many listening descriptors the caller has passed on
// already, by the systemd convention: LISTEN_FDS when LISTEN_PID is this
// process, pid. Both are read as strtoul reads them, and a missing,
// malformed or stale value counts as none passed, as in the C original.
// A count that puts 3+n past the largest descriptor number is an error,
// and so is a negative one: the C original wraps it round (-1 is
// 4294967295), truncates it to an unsigned int and adds 3, which can put
// the socket on standard error.
func ListenFDs(env []string, pid int) (int, error) {
	lp, ok := Number(env, "LISTEN_PID")
	if !ok || lp != uint64(pid) {
		return 0, nil
	}
	s, _ := Get(env, "LISTEN_FDS")
	lf, neg, err := cparse.Strtoul(s)
	number := err == nil || errors.Is(err, cparse.ErrRange)
	switch {
	case number && neg:
		return 0, errors.New("LISTEN_FDS " + diag.Quote(s) + ": a negative count")
	case number && (err != nil || lf > math.MaxInt32-FirstListenFD):
		return 0, errors.New("LISTEN_FDS " + diag.Quote(s) + ": too many descriptors: 3+n must be at most " + strconv.Itoa(math.MaxInt32))
	case err != nil:
		return 0, nil
	}
	return int(lf), nil
}

// Number reads name's value as a whole unsigned number, as strtoul(3)
// reads it; a minus sign, junk or a value past 64 bits is no number.
func Number(env []string, name string) (uint64, bool) {
	s, ok := Get(env, name)
	if !ok {
		return 0, false
	}
	v, neg, err := cparse.Strtoul(s)
	return v, err == nil && !neg
}
