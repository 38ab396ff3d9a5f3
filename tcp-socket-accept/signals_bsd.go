//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package main

import "syscall"

// dieOf ends the server for sig. The Go runtime keeps its own handler for
// a signal it caught at start, and giving the signal back its default
// action would take each system's own sigaction (through libc on macOS
// and OpenBSD), so the server exits as a shell reports a death by sig:
// with status 128 + its number.
func dieOf(sig syscall.Signal) {
	syscall.Exit(128 + int(sig))
}

// quietChildSignal leaves SIGCHLD to the Go runtime's handler: setting
// an action takes each system's own sigaction (see dieOf). The reaper
// waits in wait4, and needs no signal.
func quietChildSignal() {}
