package main

import "syscall"

// handle starts a child for the accepted connection fd from sa, in the
// slot reserved for it, or says why not; the caller closes fd either way.
func (s *server) handle(fd int, sa syscall.Sockaddr) {
	k := s.kids
	conn, err := describe(fd, sa)
	if err != nil {
		s.log.error(err.Error())
		k.unreserve()
		return
	}
	s.setOptions(fd, conn)
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.hostFull(conn.remoteIP) {
		s.log.refused(conn, k.perHost)
		k.giveBack()
		return
	}
	env := connEnv(s.env, s.cfg, conn, k.byHost[conn.remoteIP]+1)
	pid, err := spawn(s.cfg.next, env, fd)
	if err != nil {
		s.log.error(err.Error())
		k.giveBack()
		return
	}
	k.add(pid, conn.remoteIP)
	s.log.started(pid, len(k.byPid), k.limit)
	s.log.connected(pid, conn)
}

// setOptions sets what the command line asks for on the connection. A
// failure concerns this client alone, and is only logged: the connection
// is served without it.
func (s *server) setOptions(fd int, conn connection) {
	if s.cfg.keepalives {
		s.setInt(fd, "SO_KEEPALIVE", syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
	}
	if s.cfg.noDelay {
		s.setInt(fd, "TCP_NODELAY", syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
	}
	if conn.ipv4 && !s.cfg.keepIPOptions {
		// Empty IP options, so that a client cannot source-route the
		// replies.
		_, _, errno := syscall.Syscall6(syscall.SYS_SETSOCKOPT, uintptr(fd), syscall.IPPROTO_IP, syscall.IP_OPTIONS, 0, 0, 0)
		if errno != 0 && errno != syscall.ENOPROTOOPT {
			s.log.error("setsockopt IP_OPTIONS for " + conn.remoteIP + ": " + errno.Error())
		}
	}
}

func (s *server) setInt(fd int, label string, level, name int) {
	if err := syscall.SetsockoptInt(fd, level, name, 1); err != nil {
		s.log.error("setsockopt " + label + ": " + err.Error())
	}
}
