package main

import (
	"runtime"
	"syscall"
)

// take serves the connection fd from sa that a loop has accepted, in the
// slot reserved for it, and closes it: at once, or with -h apart from the
// loop, once its client's name has come (serveNamed).
func (s *server) take(fd int, sa syscall.Sockaddr) {
	conn, err := describe(fd, sa)
	if err != nil {
		s.log.error(err.Error())
		s.kids.unreserve()
		syscall.Close(fd)
		return
	}
	if s.names == nil {
		s.serveConn(fd, conn, hostCount{})
		return
	}
	// Counted against -C before the lookup, which may take seconds
	// (lookupTime): a client whose names come slowly, or never, holds
	// no more slots than -C lets it.
	k := s.kids
	k.mu.Lock()
	n, ok := k.admitHost(conn.remoteIP)
	if !ok {
		k.giveBack()
	}
	k.mu.Unlock()
	if !ok {
		s.log.refused(conn, k.perHost)
		syscall.Close(fd)
		return
	}
	go s.serveNamed(fd, conn, hostCount{connNum: n, taken: true})
}

// serveNamed looks up the name of conn's client (-h), then serves it in
// one of the turns, which are as many as the accept loops: however many
// lookups are in progress, no more goroutines read the rules file, fork
// or close a connection at once than without -h, and no more threads
// are needed (threadsNeeded).
func (s *server) serveNamed(fd int, conn connection, count hostCount) {
	conn.remoteHost = s.names.hostOf(conn.client)
	// A fork that failed for want of what the server is short of
	// rests the loops; the lookups that end meanwhile rest too.
	s.pause.wait()
	s.turns <- struct{}{}
	s.serveConn(fd, conn, count)
	<-s.turns
}

// serveConn serves conn, on fd, and closes it; when the server was short
// of what a fork needs, every loop rests.
func (s *server) serveConn(fd int, conn connection, count hostCount) {
	if s.handle(fd, conn, count) {
		s.pause.start(backoff)
	}
	syscall.Close(fd)
}

// hostCount is a connection's count against -C when it was taken before
// the connection was handled (-h): TCPCONNNUM.
type hostCount struct {
	connNum int
	taken   bool
}

// handle starts a child for the connection conn, on fd, in the slot
// reserved for it, or says why not; the caller closes fd either way.
// Lines are written only with the children's lock released (see
// children). It tells whether the fork failed for want of something the
// server itself is short of, so that the loops rest.
func (s *server) handle(fd int, conn connection, count hostCount) (rest bool) {
	k := s.kids
	v, ok := s.admitByRules(conn)
	if !ok {
		k.mu.Lock()
		k.giveUp(conn.remoteIP, count.taken)
		k.mu.Unlock()
		return false
	}
	s.setOptions(fd, conn)
	k.mu.Lock()
	k.awaitUnheld()
	if k.closed {
		// The server is ending (SIGQUIT, SIGABRT): no child may start.
		k.giveUp(conn.remoteIP, count.taken)
		k.mu.Unlock()
		return false
	}
	connNum := count.connNum
	if !count.taken {
		if connNum, ok = k.admitHost(conn.remoteIP); !ok {
			k.giveBack()
			k.mu.Unlock()
			s.log.refused(conn, k.perHost)
			return false
		}
	}
	n := k.forkBegun()
	k.mu.Unlock()
	// The banner and the fork go outside the lock (see children), so
	// that another loop can accept while the parent waits for the child
	// to get as far as exec.
	if err := sendBanner(fd, s.cfg.banner); err != nil {
		s.unstart(conn, n)
		s.log.unbannered(conn, err)
		return false
	}
	pid, err := spawn(s.cfg.next, s.path, connEnv(s.env, s.cfg, conn, connNum, v.env), fd)
	if err != nil {
		s.unstart(conn, n)
		if serverShort(err) {
			s.log.unforked(conn, err)
			return true
		}
		s.log.error(quote(s.cfg.next[0]) + ": " + err.Error())
		return false
	}
	k.mu.Lock()
	running := k.add(pid, conn.remoteIP, n)
	var t uint64
	if s.log.verbose {
		t = s.log.order.ticket()
	}
	k.mu.Unlock()
	if s.events != nil {
		s.watchChild(pid)
	}
	if !s.log.verbose {
		return false
	}
	s.log.order.inTurn(t, func() {
		s.log.started(pid, running, k.limit)
		s.log.connected(pid, conn)
	})
	return false
}

// giveUp gives back the slot of a connection that no child will serve,
// and its count against -C if it was taken (counted); with mu held.
func (c *children) giveUp(host string, counted bool) {
	if counted {
		c.forgetHost(host)
	}
	c.giveBack()
}

// unstart gives back what was taken for the child of conn, fork n, that
// was not started.
func (s *server) unstart(conn connection, n int) {
	k := s.kids
	k.mu.Lock()
	k.forkDone(n)
	k.giveUp(conn.remoteIP, true)
	k.mu.Unlock()
}

// serverShort tells whether a fork failed for want of what the server
// itself is short of, not for anything of next-prog's: processes (the
// user's RLIMIT_NPROC, a pids cgroup on Linux: EAGAIN), memory, or
// descriptors for the pipe the fork reports an exec's failure on, which
// the child would share. Those come back as children end and connections close.
func serverShort(err error) bool {
	switch err {
	case syscall.EAGAIN, syscall.ENOMEM, syscall.EMFILE, syscall.ENFILE:
		return true
	}
	return false
}

// admitByRules decides on conn by the -x rules, before anything is
// spent on it: a client they deny, or one they cannot be read for, is
// turned away, with a line that says why. It returns the verdict for a
// client let in.
func (s *server) admitByRules(conn connection) (verdict, bool) {
	if s.rules == nil {
		return verdict{}, true
	}
	v, err := s.rules.check(conn.ruleIP, conn.remoteHost)
	switch {
	case err != nil:
		s.log.dropped(conn, s.rules.path, err)
		return v, false
	case v.deny:
		s.log.denied(conn, v.rule)
		return v, false
	}
	return v, true
}

// setOptions sets what the command line asks for on the connection. A
// failure concerns this client alone, and is only logged: the connection
// is served without it.
func (s *server) setOptions(fd int, conn connection) {
	for _, o := range (connOptions{keepAlive: s.cfg.keepalives, noDelay: s.cfg.noDelay}).list() {
		if err := setOption(fd, o); err != nil {
			s.log.error("setsockopt " + o.label + ": " + err.Error())
		}
	}
	if conn.ipv4 && !s.cfg.keepIPOptions && clearsIPOptions(runtime.GOOS, conn.mapped) {
		if err := clearIPOptions(fd); err != nil {
			s.log.errorFor("setsockopt IP_OPTIONS: "+err.Error(), "setsockopt IP_OPTIONS for "+conn.remoteIP+": "+err.Error())
		}
	}
}
