//go:build linux

package main

import "syscall"

// isNoNet is ENONET, which Linux's accept(2) also passes on from the
// connection's network, and which not every system defines.
func isNoNet(err error) bool { return err == syscall.ENONET }
