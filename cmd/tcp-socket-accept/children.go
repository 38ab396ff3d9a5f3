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
// others. Forks run outside mu, several at once; a child the reaper
// collects before its loop has recorded it waits in early, while forks
// are in progress.
type children struct {
	mu       sync.Mutex
	limit    int
	reserved int             // slots held by loops about to accept or fork
	waiting  []chan struct{} // loops waiting for a slot, in order
	perHost  int             // 0: none
	byPid    map[int]string
	byHost   map[string]int // children and forks in progress, per client
	forking  int            // forks in progress
	early    map[int]syscall.WaitStatus
	started  int        // children started, ever
	born     *sync.Cond // on mu: started has grown
}

func newChildren(limit, perHost int) *children {
	c := &children{limit: limit, perHost: perHost, byPid: map[int]string{}, byHost: map[string]int{}, early: map[int]syscall.WaitStatus{}}
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

// forkDone ends a fork in progress; with mu held. With none left, what
// early holds was inherited, not forked: forgotten, so that a pid the
// kernel hands out again is not taken for one that has ended.
func (c *children) forkDone() {
	if c.forking--; c.forking == 0 {
		clear(c.early)
	}
}

// add records a started child in the slot reserved for it, and returns
// how it ended if the reaper got to it first; with mu held.
func (c *children) add(pid int, host string) (syscall.WaitStatus, bool) {
	c.started++
	c.born.Signal()
	c.reserved--
	c.byPid[pid] = host
	ws, ended := c.early[pid]
	if ended {
		delete(c.early, pid)
		c.remove(pid)
	}
	c.forkDone()
	return ws, ended
}

// reaped forgets a child the reaper collected, and tells whether it was
// one recorded; with mu held.
func (c *children) reaped(pid int, ws syscall.WaitStatus) bool {
	if _, ok := c.byPid[pid]; !ok {
		// Not recorded yet, or inherited from whatever this process
		// was before exec.
		if c.forking > 0 {
			c.early[pid] = ws
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
