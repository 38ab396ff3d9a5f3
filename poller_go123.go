//go:build go1.23

package main

// Since Go 1.23 the runtime wakes its poller without a pipe: an eventfd on
// Linux, EVFILT_USER on macOS, FreeBSD and DragonFly (room.go).
const pollerWakesByPipe = false
