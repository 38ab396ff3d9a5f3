//go:build !gccgo

package main

import "syscall"

// raiseOpenFiles leaves the limit to gc's runtime, which has raised it
// already and, from Go 1.21, gives the caller's back at exec itself
// (nofile.go): a Setrlimit here would make it forget the caller's value
// (and on macOS it raises to kern.maxfilesperproc, not to the hard
// limit).
func raiseOpenFiles() *syscall.Rlimit {
	return nil
}
