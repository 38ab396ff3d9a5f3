package main

import "sync"

// children is the table of running children and the limits on them,
// shared under mu by the accept loops, the reaper (or the one loop that
// collects them, events_linux.go) and the signal handler.
//
// A slot is reserved before a connection is accepted (see slots.go), and
// forks run outside mu, numbered (see forks.go). A pid stays in byPid
// until whoever collects it, holding mu, has collected the child; on
// Linux the server learns that a child ended without collecting it
// (reap_linux.go, events_linux.go), so that a pid in byPid always names
// that child, alive or a zombie, and never a process that has since been
// given its pid: whoever holds mu may signal it.
//
// No line is written with mu held: the writer collects what to write
// under mu and writes it after, so that a standard error that blocks
// holds up the writer alone, never the signal handler. The -v lines are
// still written in the order of their events under mu (see lineOrder).
type children struct {
	mu        sync.Mutex
	limit     int
	reserved  int             // slots held by loops about to accept or fork
	waiting   []chan struct{} // loops waiting for a slot, in order
	perHost   int             // 0: none
	byPid     map[int]string  // running children, and their clients
	byHost    map[string]int  // children and forks in progress, per client
	forks     int             // forks begun, ever: each fork's number
	forking   map[int]bool    // the numbers of the forks in progress
	closed    bool            // the server is ending: no fork may begin
	held      bool            // the reaper is placing an ended child: no fork may begin
	started   int             // children started, ever
	unwatched []int           // running children whose pidfd could not be opened (events_linux.go)
	listen    func(on bool)   // with an event set: watch the listeners, or stop
	deaf      bool            // the listeners are not watched: at the limit, or closing
	born      *sync.Cond      // on mu: started has grown
	forked    *sync.Cond      // on mu: a fork has ended, or held was cleared
}

func newChildren(limit, perHost int) *children {
	c := &children{limit: limit, perHost: perHost, byPid: map[int]string{}, byHost: map[string]int{},
		forking: map[int]bool{}}
	c.born = sync.NewCond(&c.mu)
	c.forked = sync.NewCond(&c.mu)
	return c
}

// startedSoFar is how many children have started.
func (c *children) startedSoFar() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.started
}

// awaitChild returns how many children have started, once more than
// seen have: when the reaper finds none, it has nothing to wait for until
// then.
func (c *children) awaitChild(seen int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.started == seen {
		c.born.Wait()
	}
	return c.started
}

// admitHost counts a connection from host against the per-host limit,
// and returns how many from host were there before it (TCPCONNNUM, as
// s6-tcpserverd's new_connection counts: the first gets 0), or false if
// host is at its limit; with mu held.
func (c *children) admitHost(host string) (int, bool) {
	n := c.byHost[host]
	if c.perHost > 0 && n >= c.perHost {
		return n, false
	}
	c.byHost[host]++
	return n, true
}

// forgetHost undoes admitHost; with mu held.
func (c *children) forgetHost(host string) {
	if c.byHost[host]--; c.byHost[host] <= 0 {
		delete(c.byHost, host)
	}
}

// add records the child pid that fork n started for host, in the slot
// reserved for it, and returns how many children now run; with mu held.
func (c *children) add(pid int, host string, n int) int {
	c.started++
	c.born.Signal()
	c.reserved--
	c.byPid[pid] = host
	c.forkDone(n)
	return len(c.byPid)
}

// reaped forgets the child pid, which the reaper has collected, and tells
// whether it was recorded: not if it was inherited from whatever this
// process was before exec; with mu held.
func (c *children) reaped(pid int) bool {
	host, ok := c.byPid[pid]
	if !ok {
		return false
	}
	c.forgetHost(host)
	delete(c.byPid, pid)
	c.freeSlot()
	return true
}
