package main

import "syscall"

// The gc runtime raises the process's soft RLIMIT_NOFILE before main (Go
// 1.19 on) and gives the caller's value back at exec (Go 1.21 on): a
// target past the caller's soft limit can be placed, and next-prog still
// gets the limit it was given. gccgo's runtime (Go 1.18's library) does
// neither, so this program does both for that build (nofile_gccgo.go).
// Go 1.19 and 1.20 raise the limit without keeping the caller's value
// anywhere: that build's next-prog gets the hard limit (the manual,
// BUILDS).

// restoreOpenFiles gives the caller's limit back, just before an exec.
func restoreOpenFiles(caller *syscall.Rlimit) {
	if caller != nil {
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, caller)
	}
}
