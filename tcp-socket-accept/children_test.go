package main

import (
	"syscall"
	"testing"
)

// TestEarlyEndNotTakenForALaterChild drives the table as two loops and
// the reaper would, with forks that overlap without a break: the pid of
// a failed exec's child, which the reaper collected first, comes round to
// a later child, which must be recorded as running, not as ended.
func TestEarlyEndNotTakenForALaterChild(t *testing.T) {
	c := newChildren(10, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reserved = 3
	a := c.forkBegun()
	b := c.forkBegun()
	c.reaped(500, 0) // a's exec failed; the reaper got its child first
	c.forkDone(a)
	a = c.forkBegun()
	if _, ended := c.add(600, "client", b); ended {
		t.Fatal("b's child 600 recorded as ended")
	}
	if _, ended := c.add(500, "client", a); ended {
		t.Fatal("a's child 500, a pid that came round, recorded as ended")
	}
	if len(c.byPid) != 2 || len(c.early) != 0 {
		t.Errorf("running %v, early %v; want 500 and 600 running, nothing early", c.byPid, c.early)
	}
}

// TestEarlyEndClaimed: a child that ends before its loop records it is
// recorded as ended, its slot given back.
func TestEarlyEndClaimed(t *testing.T) {
	c := newChildren(10, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reserved = 1
	n := c.forkBegun()
	ws := syscall.WaitStatus(7 << 8) // exit code 7
	c.reaped(700, ws)
	got, ended := c.add(700, "client", n)
	if !ended || got != ws || len(c.byPid) != 0 || c.reserved != 0 {
		t.Errorf("ended %v with %v; running %v, reserved %d; want ended with exit 7, nothing running", ended, got, c.byPid, c.reserved)
	}
}
