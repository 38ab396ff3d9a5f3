//go:build !linux

package main

// isNoNet is false where accept(2) has no ENONET to pass on.
func isNoNet(error) bool { return false }
