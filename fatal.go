package main

import (
	"os"
	"strconv"
	"syscall"
	"time"
)

// What the tools say when something goes wrong: one line, naming the
// program, the step and the object, in a form that no argument can break
// or forge.

// quote shows s as it is, unless that would hide it or break the line:
// then it is quoted as a Go string, escapes and all.
func quote(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// progName is the base name of argv0, as the C originals name themselves
// in messages and in their usage lines; quoted, since the caller chooses
// it. An empty argv0 gives name.
func progName(argv0, name string) string {
	if argv0 == "" {
		return name
	}
	base := argv0
	for i := len(argv0) - 1; i >= 0; i-- {
		if argv0[i] == '/' {
			base = argv0[i+1:]
			break
		}
	}
	if base == "" { // argv[0] ends in a slash
		return name
	}
	return quote(base)
}

// fatal writes "PROG: FATAL: err" on standard error, one line, and exits
// with status 1, even where standard error is a pipe whose reader has
// gone (see writeStderr).
func fatal(prog string, err error) {
	writeStderr(prog + ": FATAL: " + err.Error() + "\n")
	os.Exit(1)
}

// writeStderr writes line on descriptor 2 in one write(2), so that lines
// from several goroutines do not interleave. It bypasses os.Stderr, which
// would kill a server with SIGPIPE on a broken stderr (unless notified)
// and could start the runtime's poller. A standard error that is full and
// non-blocking is waited for, a millisecond at a time, for up to a
// second; any other failure is ignored, for there is nowhere left to
// report it.
func writeStderr(line string) {
	b := []byte(line)
	for waited := 0; len(b) > 0 && waited < 1000; {
		n, err := syscall.Write(2, b)
		switch err {
		case nil:
			b = b[n:]
		case syscall.EINTR:
		case syscall.EAGAIN:
			time.Sleep(time.Millisecond)
			waited++
		default:
			return
		}
	}
}
