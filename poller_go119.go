//go:build !go1.23

package main

// Before Go 1.23, and in gccgo (Go 1.18's library in GCC 12), the runtime
// wakes its poller through a pipe, two descriptors more (room.go).
const pollerWakesByPipe = true
