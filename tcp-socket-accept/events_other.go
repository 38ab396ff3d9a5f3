//go:build !linux

package main

// The BSDs and macOS have no pidfd: there the server serves each
// listener in loops of its own (loop.go), and the reaper waits in wait4
// for any child, on a thread of its own (reap.go, reap_bsd.go). A
// kqueue with EVFILT_PROC would serve them as the epoll set serves Linux
// (events_linux.go); it is not built yet.

type eventSet struct{}

func openEventSet(listeners, children int, names bool) *eventSet { return nil }

func (s *server) serveEvents() {}

func (s *server) watchChild(pid int) {}
