//go:build linux

package main

import (
	"syscall"
	"unsafe"
)

// dieOf ends the server by sig, at its default action, as it ends a C
// server. signal.Reset cannot: the Go runtime keeps its own handler for
// a signal it caught at start, and that handler drops one that nothing
// asks for. A struct sigaction of zeros is SIG_DFL, with no flags, in
// every port's layout.
func dieOf(sig syscall.Signal) {
	var dfl [64]byte
	syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
	syscall.Kill(syscall.Getpid(), sig)
	// The signal is acted on as a thread of this process returns from
	// the kernel; should it not be, the shell's way of saying so.
	syscall.Exit(128 + int(sig))
}
