package main

import (
	"sync"
	"sync/atomic"
)

// lineOrder writes the -v lines in the order of their events, each by
// the goroutine that saw its event, with no lock of the children's held:
// a ticket is taken with the event, under the children's lock, and the
// lines are written once every earlier ticket's are. A writer blocked on
// standard error thus holds up the later writers, as it would in one
// thread, and nothing else.
type lineOrder struct {
	// tickets taken, each under the children's lock; first, so that it
	// is 64-bit aligned on 32-bit systems for package atomic (whose
	// Uint64 type gccgo 12's library lacks)
	issued  uint64
	mu      sync.Mutex
	turn    *sync.Cond // on mu: written has grown
	written uint64     // the tickets whose lines are out
}

func newLineOrder() *lineOrder {
	o := &lineOrder{}
	o.turn = sync.NewCond(&o.mu)
	return o
}

// ticket numbers the lines of an event; with the children's lock held,
// so that the numbers follow the events.
func (o *lineOrder) ticket() uint64 {
	return atomic.AddUint64(&o.issued, 1)
}

// inTurn calls write once the lines of every ticket before t are out;
// every ticket taken must be passed to inTurn, or no later line is
// written.
func (o *lineOrder) inTurn(t uint64, write func()) {
	o.mu.Lock()
	for o.written != t-1 {
		o.turn.Wait()
	}
	o.mu.Unlock()
	write()
	o.mu.Lock()
	o.written = t
	o.turn.Broadcast()
	o.mu.Unlock()
}
