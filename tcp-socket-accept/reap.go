package main

import "syscall"

// reap collects every child that ends, for ever. One goroutine does it
// for all children, blocked in wait4(-1): the kernel wakes it when any
// child ends, so one thread waits for them all and the threads do not
// grow with the children. Waiting in wait4 rather than for SIGCHLD spares
// each connection the signal's trip through the runtime's signal
// goroutine and a channel to the reaper.
func (s *server) reap() {
	// How many children had started before each wait, so that one
	// started between wait4's ECHILD and awaitChild is not missed.
	seen := s.kids.startedSoFar()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, 0, nil)
		switch {
		case err == nil:
			seen = s.ended(pid, ws)
		case err == syscall.EINTR:
			// A signal came: wait again.
		default:
			// ECHILD: no child to wait for.
			seen = s.kids.awaitChild(seen)
		}
	}
}

// ended forgets the child pid that ended with ws, and returns how many
// children have started, read under the same lock.
func (s *server) ended(pid int, ws syscall.WaitStatus) int {
	s.kids.mu.Lock()
	defer s.kids.mu.Unlock()
	if s.kids.reaped(pid, ws) {
		s.log.ended(pid, ws, len(s.kids.byPid), s.kids.limit)
	}
	return s.kids.started
}
