package main

import "syscall"

// The gc runtime raises the process's soft RLIMIT_NOFILE to its hard limit
// before main (Go 1.19 on) and gives the caller's value back at exec (Go
// 1.21 on): a target past the caller's soft limit can be placed, and
// next-prog still gets the limit it was given. gccgo's runtime (Go 1.18's
// library) does neither, so this program does both for it. Go 1.19 and
// 1.20 raise the limit without keeping the caller's value anywhere: that
// build's next-prog gets the hard limit (the manual, BUILDS).

// raiseOpenFiles raises the soft limit to the hard one, unless the runtime
// has (to the hard limit, or in recent releases one below it, to notice a
// prlimit(1) from outside), and returns the caller's limit for an exec to
// give back, or nil if there is none to give back. A call to Setrlimit
// would make gc's runtime forget the caller's value: it is made only
// where the runtime has not raised the limit.
func raiseOpenFiles() *syscall.Rlimit {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Max == 0 || lim.Cur >= lim.Max-1 {
		return nil
	}
	caller := lim
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil
	}
	return &caller
}

// restoreOpenFiles gives the caller's limit back, just before an exec.
func restoreOpenFiles(caller *syscall.Rlimit) {
	if caller != nil {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, caller)
	}
}
