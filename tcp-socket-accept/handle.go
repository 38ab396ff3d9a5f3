package main

import (
	"runtime"
	"syscall"
)

// handle starts a child for the accepted connection fd from sa, in the
// slot reserved for it, or says why not; the caller closes fd either way.
// With -h it looks the client's name up first, holding the slot, and is
// then run apart from the accept loop (see acceptFrom).
// Lines are written only with the children's lock released (see
// children). It tells whether the fork failed for want of something the
// server itself is short of, so that the loop rests.
func (s *server) handle(fd int, sa syscall.Sockaddr) (rest bool) {
	k := s.kids
	conn, err := describe(fd, sa)
	if err != nil {
		s.log.error(err.Error())
		k.unreserve()
		return false
	}
	if s.names != nil {
		conn.remoteHost = s.names.hostOf(conn.client)
		// The rest in one of the turns, which are as many as the
		// accept loops: no more forks and reads of the rules file
		// at once than without -h, and no more threads
		// (threadsNeeded), however many lookups are in progress.
		s.turns <- struct{}{}
		defer func() { <-s.turns }()
	}
	v, ok := s.admitByRules(conn)
	if !ok {
		k.unreserve()
		return false
	}
	s.setOptions(fd, conn)
	k.mu.Lock()
	k.awaitUnheld()
	if k.closed {
		// The server is ending (SIGQUIT, SIGABRT): no child may start.
		k.giveBack()
		k.mu.Unlock()
		return false
	}
	connNum, ok := k.admitHost(conn.remoteIP)
	if !ok {
		k.giveBack()
		k.mu.Unlock()
		s.log.refused(conn, k.perHost)
		return false
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
	if !s.log.verbose {
		k.mu.Unlock()
		return false
	}
	t := s.log.order.ticket()
	k.mu.Unlock()
	s.log.order.inTurn(t, func() {
		s.log.started(pid, running, k.limit)
		s.log.connected(pid, conn)
	})
	return false
}

// unstart gives back what was taken for the child of conn, fork n, that
// was not started.
func (s *server) unstart(conn connection, n int) {
	k := s.kids
	k.mu.Lock()
	k.forkDone(n)
	k.forgetHost(conn.remoteIP)
	k.giveBack()
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
