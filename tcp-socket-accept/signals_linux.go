//go:build linux

package main

import (
	"runtime"
	"strings"
	"syscall"
	"unsafe"
)

// dieOf ends the server by sig, at its default action, as it ends a C
// server. signal.Reset cannot: the Go runtime keeps its own handler for
// a signal it caught at start, and that handler drops one that nothing
// asks for. A struct sigaction of zeros is SIG_DFL, with no flags, in
// every port's layout; the kernel's sigset_t is 8 bytes but on MIPS, 16.
// Should the signal not be put back, the server exits as a shell reports
// a death by it.
func dieOf(sig syscall.Signal) {
	sigsetSize := uintptr(8)
	if strings.HasPrefix(runtime.GOARCH, "mips") {
		sigsetSize = 16
	}
	var dfl [64]byte
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, sigsetSize, 0, 0)
	if errno == 0 {
		syscall.Kill(syscall.Getpid(), sig)
	}
	// The signal is acted on as a thread of this process returns from
	// the kernel.
	syscall.Exit(128 + int(sig))
}
