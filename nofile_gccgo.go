//go:build gccgo

package main

import "syscall"

// raiseOpenFiles raises the soft RLIMIT_NOFILE to the hard one, as gc's
// runtime does before main (to the hard limit, or one below it), and
// returns the caller's limit for an exec to give back
// (restoreOpenFiles), or nil if there is none to give back.
func raiseOpenFiles() *syscall.Rlimit {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur == lim.Max {
		return nil
	}
	caller := lim
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil
	}
	return &caller
}
