// Package diag writes what the tools say when something goes wrong: one
// line, naming the program, the step and the object, in a form that no
// argument can break or forge.
package diag

import "strconv"

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
