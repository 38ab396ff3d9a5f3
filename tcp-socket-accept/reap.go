package main

import "syscall"

// reap collects every child that ends, for ever. One goroutine does it
// for all children, blocked in the kernel until any child ends
// (awaitExit): the kernel wakes it, so one thread waits for them all and
// the threads do not grow with the children. Waiting there rather than
// for SIGCHLD spares each connection the signal's trip through the
// runtime's signal goroutine and a channel to the reaper.
func (s *server) reap() {
	// How many children had started before each wait, so that one
	// started between the wait's ECHILD and awaitChild is not missed.
	seen := s.kids.startedSoFar()
	for {
		e, err := awaitExit()
		switch {
		case err == nil:
			seen = s.ended(e)
		case err == syscall.EINTR:
			// A signal came: wait again.
		default:
			// ECHILD: no child to wait for.
			seen = s.kids.awaitChild(seen)
		}
	}
}

// ended collects and forgets the child that e says has ended, writes its
// ended line after releasing the lock, in turn, and returns how many
// children have started, read under the same lock.
//
// A child not recorded may be one whose fork is still in progress: its
// pid is known only once the fork ends, and it can end first. The forks
// begun by now are waited for, and then it is recorded, or it is not one
// of the server's: the child of an exec that failed, which
// syscall.ForkExec collects itself (and collect finds gone), or one
// inherited from whatever this process was before exec. A fork begun
// later cannot have made it; and none begins until the child is placed
// (held), for once ForkExec has collected a failed exec's child, its pid
// is free, and a fork begun then could be given it, its child end, and be
// collected here in the place of the one that ended, never to be reaped.
func (s *server) ended(e exited) int {
	k := s.kids
	k.mu.Lock()
	_, known := k.byPid[e.pid]
	if !known {
		k.held = true
		k.awaitForks(k.forks)
	}
	ws, collected := e.collect()
	started := k.started
	if !known {
		k.held = false
		k.forked.Broadcast()
	}
	s.forgetCollected(e.pid, ws, collected)
	return started
}

// forgetCollected forgets the child pid once collected, with the
// children's lock held, which it releases, and writes its ended line
// after, in turn.
func (s *server) forgetCollected(pid int, ws syscall.WaitStatus, collected bool) {
	k := s.kids
	recorded := collected && k.reaped(pid)
	running := len(k.byPid)
	if !recorded || !s.log.verbose {
		k.mu.Unlock()
		return
	}
	t := s.log.order.ticket()
	k.mu.Unlock()
	s.log.order.inTurn(t, func() { s.log.ended(pid, ws, running, k.limit) })
}
