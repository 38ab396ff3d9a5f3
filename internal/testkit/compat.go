package testkit

import "strings"

// The test code compiles with Go 1.19 and gccgo 12 (Go 1.18's library),
// the oldest toolchains that build the commands: what later libraries
// added, it has here.

// CutPrefix is Go 1.20's strings.CutPrefix: s without prefix, and
// whether s began with it.
func CutPrefix(s, prefix string) (string, bool) {
	if !strings.HasPrefix(s, prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// equalInts is Go 1.21's slices.Equal for ints.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
