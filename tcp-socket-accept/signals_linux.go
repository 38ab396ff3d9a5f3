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
// asks for. Should the signal not be put back, the server exits as a
// shell reports a death by it.
func dieOf(sig syscall.Signal) {
	if setDefault(sig) == nil {
		syscall.Kill(syscall.Getpid(), sig)
	}
	// The signal is acted on as a thread of this process returns from
	// the kernel.
	syscall.Exit(128 + int(sig))
}

// quietChildSignal gives SIGCHLD back its default action, which is to
// ignore it, from the Go runtime's handler, which has nothing to do with
// it here: the server learns of its children's ends from pidfds or
// waitid. A signal whose action is the default ignore is not sent at
// all unless the thread it is for has it blocked (during a fork), where
// a caught one wakes a thread of the server's, often one idle in the
// runtime, for every child that ends (about one sleep and wake a
// connection, measured: ENGINEERING.md). Unlike SIG_IGN, the default
// leaves ended children to be collected; and a child gets SIGCHLD at
// its default either way.
func quietChildSignal() {
	setDefault(syscall.SIGCHLD)
}

// setDefault sets sig's action to the default by rt_sigaction(2): a
// struct sigaction of zeros is SIG_DFL, with no flags, in every port's
// layout; the kernel's sigset_t is 8 bytes but on MIPS, 16.
func setDefault(sig syscall.Signal) error {
	sigsetSize := uintptr(8)
	if strings.HasPrefix(runtime.GOARCH, "mips") {
		sigsetSize = 16
	}
	var dfl [64]byte
	_, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, sigsetSize, 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
