package main

// The connection limit, as slots: a slot is reserved before a connection
// is accepted, so that loops accepting at once cannot pass the limit
// between them. At the limit the loops queue, and each slot that frees
// goes to the first in the queue: first come, first served, so that a
// busy listener cannot starve the others.

// reserve returns when it holds a slot for a connection about to be
// accepted. Once the server is closing (signalLast) it never returns:
// a connection accepted then would only be closed, where left in the
// backlog it waits for the server's next run, if the socket outlives it.
func (c *children) reserve() {
	c.mu.Lock()
	if !c.closed && len(c.byPid)+c.reserved < c.limit {
		c.reserved++
		c.mu.Unlock()
		return
	}
	if c.closed {
		c.mu.Unlock()
		select {}
	}
	ready := make(chan struct{})
	c.waiting = append(c.waiting, ready)
	c.mu.Unlock()
	<-ready // the slot was reserved for this loop by freeSlot
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		select {}
	}
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
