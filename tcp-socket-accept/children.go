package main

import (
	"sync"
	"syscall"
)

// children is the table of running children and the limits on them,
// shared under mu by the accept loops and the reaper.
//
// A slot is reserved before a connection is accepted, so that loops
// accepting at once cannot pass the limit between them. At the limit the
// loops queue, and each slot that frees goes to the first in the queue:
// first come, first served, so that a busy listener cannot starve the
// others. Forks run outside mu, so that one loop can accept while
// another forks (syscall.ForkExec forks one at a time, under
// syscall.ForkLock). A child the reaper collects before its loop has
// recorded it waits in early, stamped with the newest fork begun by then:
// only a fork begun no later can claim it, for a child's pid is free for
// another child only once it has been collected. So a pid that a failed
// exec's child leaves there, which syscall.ForkExec would have collected
// itself, is never taken for a later child's; it is dropped once every
// fork that could have made it has ended.
type children struct {
	mu       sync.Mutex
	limit    int
	reserved int             // slots held by loops about to accept or fork
	waiting  []chan struct{} // loops waiting for a slot, in order
	perHost  int             // 0: none
	byPid    map[int]string
	byHost   map[string]int // children and forks in progress, per client
	forks    int            // forks begun, ever: each fork's number
	forking  map[int]bool   // the numbers of the forks in progress
	early    map[int]earlyEnd
	started  int        // children started, ever
	born     *sync.Cond // on mu: started has grown
}

// earlyEnd is how a child ended that the reaper collected before it was
// recorded, and the newest fork begun when it did.
type earlyEnd struct {
	ws   syscall.WaitStatus
	fork int
}

func newChildren(limit, perHost int) *children {
	c := &children{limit: limit, perHost: perHost, byPid: map[int]string{}, byHost: map[string]int{},
		forking: map[int]bool{}, early: map[int]earlyEnd{}}
	c.born = sync.NewCond(&c.mu)
	return c
}

// startedSoFar is how many children have started.
func (c *children) startedSoFar() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started
}

// awaitChild returns how many children have started, once more than
// seen have: when wait4 finds none, it has nothing to wait for until then.
func (c *children) awaitChild(seen int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.started == seen {
		c.born.Wait()
	}
	return c.started
}

// reserve returns when it holds a slot for a connection about to be
// accepted.
func (c *children) reserve() {
	c.mu.Lock()
	if len(c.byPid)+c.reserved < c.limit {
		c.reserved++
		c.mu.Unlock()
		return
	}
	ready := make(chan struct{})
	c.waiting = append(c.waiting, ready)
	c.mu.Unlock()
	<-ready // the slot was reserved for this loop by freeSlot
}

// unreserve gives back a slot that no child took.
func (c *children) unreserve() {
	c.mu.Lock()
	c.giveBack()
	c.mu.Unlock()
}

// giveBack is unreserve with mu held.
func (c *children) giveBack() {
	c.reserved--
	c.freeSlot()
}

// freeSlot hands a slot that has just freed to the first waiting loop;
// with mu held.
func (c *children) freeSlot() {
	if len(c.waiting) == 0 {
		return
	}
	c.reserved++
	close(c.waiting[0])
	c.waiting = c.waiting[1:]
}

// admitHost counts a connection from host against the per-host limit,
// and returns its number (TCPCONNNUM), or 0 if host is at its limit;
// with mu held.
func (c *children) admitHost(host string) int {
	if c.perHost > 0 && c.byHost[host] >= c.perHost {
		return 0
	}
	c.byHost[host]++
	return c.byHost[host]
}

// forgetHost undoes admitHost; with mu held.
func (c *children) forgetHost(host string) {
	if c.byHost[host]--; c.byHost[host] <= 0 {
		delete(c.byHost, host)
	}
}

// forkBegun numbers a fork about to begin; with mu held.
func (c *children) forkBegun() int {
	c.forks++
	c.forking[c.forks] = true
	return c.forks
}

// forkDone ends fork n; with mu held. What early holds that no fork still
// in progress can have made is forgotten: the child of a failed exec, or
// of whatever this process was before exec.
func (c *children) forkDone(n int) {
	delete(c.forking, n)
	oldest := c.forks + 1
	for m := range c.forking {
		oldest = min(oldest, m)
	}
	for pid, e := range c.early {
		if e.fork < oldest {
			delete(c.early, pid)
		}
	}
}

// add records the child that fork n started, in the slot reserved for
// it, and returns how it ended if the reaper got to it first; with mu
// held.
func (c *children) add(pid int, host string, n int) (syscall.WaitStatus, bool) {
	c.started++
	c.born.Signal()
	c.reserved--
	c.byPid[pid] = host
	e, found := c.early[pid]
	delete(c.early, pid)
	ended := found && e.fork >= n
	if ended {
		c.remove(pid)
	}
	c.forkDone(n)
	return e.ws, ended
}

// reaped forgets a child the reaper collected, and tells whether it was
// one recorded; with mu held.
func (c *children) reaped(pid int, ws syscall.WaitStatus) bool {
	if _, ok := c.byPid[pid]; !ok {
		// Not recorded yet, or inherited from whatever this process
		// was before exec.
		if len(c.forking) > 0 {
			c.early[pid] = earlyEnd{ws, c.forks}
		}
		return false
	}
	c.remove(pid)
	return true
}

func (c *children) remove(pid int) {
	c.forgetHost(c.byPid[pid])
	delete(c.byPid, pid)
	c.freeSlot()
}

// signalAll sends each of sigs in turn to every child.
func (c *children) signalAll(sigs ...syscall.Signal) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sig := range sigs {
		for pid := range c.byPid {
			syscall.Kill(pid, sig)
		}
	}
}
