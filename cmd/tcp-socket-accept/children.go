package main

import (
	"sync"
	"syscall"
)

// children is the table of running children and the limits on them. The
// accept loops add to it and the reaper takes from it, under mu: a pid is
// added while mu is held across the fork, so the reaper cannot reap a
// child before it is in the table.
//
// A slot is reserved before a connection is accepted, so that listeners
// accepting at once cannot pass the limit between them. At the limit the
// accept loops queue, and each slot that frees goes to the first in the
// queue: first come, first served, so that a busy listener cannot starve
// the others.
type children struct {
	mu       sync.Mutex
	limit    int
	reserved int             // slots held by loops about to accept
	waiting  []chan struct{} // loops waiting for a slot, in order
	perHost  int             // 0: none
	byPid    map[int]string
	byHost   map[string]int
}

func newChildren(limit, perHost int) *children {
	return &children{limit: limit, perHost: perHost, byPid: map[int]string{}, byHost: map[string]int{}}
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

// hostFull tells whether host already has its limit of children; with
// mu held.
func (c *children) hostFull(host string) bool {
	return c.perHost > 0 && c.byHost[host] >= c.perHost
}

// add records a started child in the slot reserved for it; with mu held.
func (c *children) add(pid int, host string) {
	c.reserved--
	c.byPid[pid] = host
	c.byHost[host]++
}

// remove forgets a reaped child, and tells whether it was one of ours;
// with mu held.
func (c *children) remove(pid int) bool {
	host, ok := c.byPid[pid]
	if !ok {
		return false // inherited from whatever this process was before exec
	}
	delete(c.byPid, pid)
	if c.byHost[host]--; c.byHost[host] == 0 {
		delete(c.byHost, host)
	}
	c.freeSlot()
	return true
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
