// Package diag writes what the tools say when something goes wrong: one
// line, naming the program, the step and the object, in a form that no
// argument can break or forge.
package diag

import (
	"os"
	"strconv"
)

// Quote shows s as it is, unless that would hide it or break the line:
// then it is quoted as a Go string, escapes and all.
func Quote(s string) string {
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

// ProgName is the base name of argv0, as the C originals name themselves
// in messages and in their usage lines; quoted, since the caller chooses
// it. An empty argv0 gives name.
func ProgName(argv0, name string) string {
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
	return Quote(base)
}

// Fatal writes "PROG: FATAL: err" on standard error, one line, and exits
// with status 1.
func Fatal(prog string, err error) {
	os.Stderr.WriteString(prog + ": FATAL: " + err.Error() + "\n")
	os.Exit(1)
}
