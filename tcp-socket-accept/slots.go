package main

// The connection limit, as slots: a slot is reserved before a connection
// is accepted, so that loops accepting at once cannot pass the limit
// between them. At the limit the loops queue, and each slot that frees
// goes to the first in the queue: first come, first served, so that a
// busy listener cannot starve the others. The one loop of an event set
// (events_linux.go) does not queue: it stops watching the listeners
// (tryReserve), and watches them again as a slot frees, starting after
// the one it last accepted from.

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

// tryReserve reserves a slot if one is free, for the one loop that
// serves every listener (serveEvents), which must not wait, for it also
// collects the children: at the limit, or once the server is closing, it
// stops watching the listeners, until freeSlot watches them again.
func (c *children) tryReserve() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && len(c.byPid)+c.reserved < c.limit {
		c.reserved++
		return true
	}
	if !c.deaf {
		c.deaf = true
		c.listen(false)
	}
	return false
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
	if c.deaf && !c.closed {
		c.deaf = false
		c.listen(true)
	}
	if len(c.waiting) == 0 {
		return
	}
	c.reserved++
	close(c.waiting[0])
	c.waiting = c.waiting[1:]
}
