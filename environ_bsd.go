//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "syscall"

// readEnviron is the environment as the runtime gives it: these systems have
// no /proc/self/environ, so a repeated name keeps only its first entry,
// empty entries are gone, and in secure mode (setuid, setgid) the runtime
// adds GOTRACEBACK=none.
func readEnviron() ([]string, error) { return syscall.Environ(), nil }
