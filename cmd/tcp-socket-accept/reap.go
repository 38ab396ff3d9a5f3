package main

import (
	"os"
	"os/signal"
	"syscall"
)

// reap collects every child that ends, for ever. One goroutine does it
// for all children: woken by SIGCHLD, it calls wait4(-1, WNOHANG) until
// none is left to collect, so no thread waits per child and the threads
// do not grow with the children. A SIGCHLD that comes while it collects is
// kept in the channel's one slot, so none is lost.
func (s *server) reap() {
	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	for {
		s.reapEnded()
		<-chld
	}
}

// reapEnded collects the children that have ended.
func (s *server) reapEnded() {
	s.kids.mu.Lock()
	defer s.kids.mu.Unlock()
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return // ECHILD: none left; 0: the rest still run
		}
		if s.kids.reaped(pid, ws) {
			s.log.ended(pid, ws, len(s.kids.byPid), s.kids.limit)
		}
	}
}
