package main

import (
	"sync"
	"syscall"
)

// children is the table of running children and the limits on them. The
// accept loop adds to it and the reaper takes from it, under mu: a pid is
// added while mu is held across the fork, so the reaper cannot reap a
// child before it is in the table.
type children struct {
	mu      sync.Mutex
	freed   *sync.Cond // signalled when a child is reaped
	limit   int
	perHost int // 0: none
	byPid   map[int]string
	byHost  map[string]int
}

func newChildren(limit, perHost int) *children {
	c := &children{limit: limit, perHost: perHost, byPid: map[int]string{}, byHost: map[string]int{}}
	c.freed = sync.NewCond(&c.mu)
	return c
}

// waitForSlot returns when fewer children than the limit run.
func (c *children) waitForSlot() {
	c.mu.Lock()
	for len(c.byPid) >= c.limit {
		c.freed.Wait()
	}
	c.mu.Unlock()
}

// hasSlot tells whether fewer children than the limit run.
func (c *children) hasSlot() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byPid) < c.limit
}

// hostFull tells whether host already has its limit of children; with
// mu held.
func (c *children) hostFull(host string) bool {
	return c.perHost > 0 && c.byHost[host] >= c.perHost
}

// add records a started child; with mu held.
func (c *children) add(pid int, host string) {
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
	c.freed.Signal()
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
