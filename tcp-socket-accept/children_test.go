package main

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLinesInTurn: lines whose tickets were taken in one order are
// written in that order, whatever order their writers come in.
func TestLinesInTurn(t *testing.T) {
	o := newLineOrder()
	var tickets []uint64
	for i := 0; i < 5; i++ {
		tickets = append(tickets, o.ticket())
	}
	var mu sync.Mutex
	var out []string
	var wg sync.WaitGroup
	for i := len(tickets) - 1; i >= 0; i-- {
		wg.Add(1)
		go func(i int) { // i passed, as before Go 1.22 the loop has one
			defer wg.Done()
			o.inTurn(tickets[i], func() {
				mu.Lock()
				out = append(out, strconv.Itoa(i))
				mu.Unlock()
			})
		}(i)
		time.Sleep(time.Millisecond) // the later tickets come first
	}
	wg.Wait()
	if got := strings.Join(out, " "); got != "0 1 2 3 4" {
		t.Errorf("written in the order %s; want 0 1 2 3 4", got)
	}
}

// TestReapedForgetsOnlyRecorded: the reaper forgets a recorded child, its
// client and its slot; a child never recorded changes nothing.
func TestReapedForgetsOnlyRecorded(t *testing.T) {
	c := newChildren(10, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reserved = 1
	c.admitHost("client")
	if running := c.add(500, "client", c.forkBegun()); running != 1 {
		t.Errorf("%d running; want 1", running)
	}
	if c.reaped(700) {
		t.Error("a child never recorded reaped as one")
	}
	if !c.reaped(500) {
		t.Error("a recorded child not reaped as one")
	}
	if len(c.byPid) != 0 || len(c.byHost) != 0 || len(c.forking) != 0 || c.reserved != 0 {
		t.Errorf("running %v, hosts %v, forking %v, reserved %d; want none", c.byPid, c.byHost, c.forking, c.reserved)
	}
}
