package main

import "syscall"

// Forks run outside mu, so that one loop can accept while another forks
// (syscall.ForkExec forks one at a time, under syscall.ForkLock). Each is
// numbered when it begins, and is in progress until its child is
// recorded or the fork has failed. A child's pid is known only once the
// fork has ended, so whatever must see every child started by some moment
// waits for the forks begun by then: the signal handler, and the reaper
// when a child it does not know of ends.

// awaitUnheld returns when the reaper lets forks begin; with mu held,
// which it releases while it waits.
func (c *children) awaitUnheld() {
	for c.held {
		c.forked.Wait()
	}
}

// forkBegun numbers a fork about to begin; with mu held.
func (c *children) forkBegun() int {
	c.forks++
	c.forking[c.forks] = true
	return c.forks
}

// forkDone ends fork n; with mu held.
func (c *children) forkDone(n int) {
	delete(c.forking, n)
	c.forked.Broadcast()
}

// awaitForks returns when no fork numbered n or less is in progress; with
// mu held, which it releases while it waits. Those forks have then
// recorded their children, or failed.
func (c *children) awaitForks(n int) {
	for c.forkInProgress(n) {
		c.forked.Wait()
	}
}

func (c *children) forkInProgress(upTo int) bool {
	for m := range c.forking {
		if m <= upTo {
			return true
		}
	}
	return false
}

// signalAll sends each of sigs in turn to every child started before it
// was called, those of the forks then in progress included.
func (c *children) signalAll(sigs ...syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.signalStarted(sigs)
}

// signalLast is signalAll for a server about to exit: first it stops
// every fork from beginning, so that no child starts after, then it waits
// for every fork in progress, and signals all their children too.
func (c *children) signalLast(sigs ...syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.signalStarted(sigs)
}

// signalStarted is signalAll with mu held. Every pid in byPid is then a
// child not yet collected, so that the signal cannot reach a process that
// has since been given its pid (but see reap_bsd.go).
func (c *children) signalStarted(sigs []syscall.Signal) {
	c.awaitForks(c.forks)
	for _, sig := range sigs {
		for pid := range c.byPid {
			syscall.Kill(pid, sig)
		}
	}
}
