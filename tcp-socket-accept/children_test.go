package main

import (
	"syscall"
	"testing"
)

// TestEndedLineLeftToTheLoop: a child the reaper collects before its loop
// has written its started line gets its ended line from the loop, after
// that line; once announced, from the reaper.
func TestEndedLineLeftToTheLoop(t *testing.T) {
	c := newChildren(10, 0)
	c.mu.Lock()
	c.reserved = 2
	a, running := c.add(500, "client", c.forkBegun())
	b, _ := c.add(600, "client", c.forkBegun())
	if running != 1 {
		t.Errorf("%d running after the first child; want 1", running)
	}
	ws := syscall.WaitStatus(7 << 8) // exit code 7
	if _, write := c.reaped(500, ws); write {
		t.Error("the reaper writes the ended line of a child not yet announced")
	}
	c.mu.Unlock()
	if e, ended := c.announced(a); !ended || e.ws != ws || e.running != 1 {
		t.Errorf("announced: %+v, %v; want the ended line, exit 7, 1 running", e, ended)
	}
	if _, ended := c.announced(b); ended {
		t.Error("a running child announced as ended")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, write := c.reaped(600, 0); !write || e.running != 0 {
		t.Errorf("reaped an announced child: %+v, %v; want its ended line, none running", e, write)
	}
	if _, write := c.reaped(700, 0); write {
		t.Error("an ended line for a child never recorded")
	}
	if len(c.byPid) != 0 || len(c.forking) != 0 || c.reserved != 0 {
		t.Errorf("running %v, forking %v, reserved %d; want none", c.byPid, c.forking, c.reserved)
	}
}
