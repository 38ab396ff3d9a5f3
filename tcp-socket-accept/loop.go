package main

import (
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// backoff is how long an accept loop rests when the system is out of
// a resource that accepting or forking needs: a connection not accepted
// stays queued, and would be reported ready again at once, and the next
// fork would fail as this one did.
const backoff = 100 * time.Millisecond

// pause is a rest that every accept loop takes before its next accept:
// a fork that failed for want of a process or memory would fail for
// every loop. Its end is in Unix nanoseconds, 0 for none yet.
type pause struct {
	until int64
}

// start makes the loops rest for d from now.
func (p *pause) start(d time.Duration) {
	atomic.StoreInt64(&p.until, time.Now().Add(d).UnixNano())
}

// resting tells whether the loops are to rest now.
func (p *pause) resting() bool {
	until := atomic.LoadInt64(&p.until)
	return until != 0 && time.Now().UnixNano() < until
}

// wait returns when the rest, if any, is over.
func (p *pause) wait() {
	until := atomic.LoadInt64(&p.until)
	if until == 0 {
		return
	}
	if d := time.Until(time.Unix(0, until)); d > 0 {
		time.Sleep(d)
	}
}

// loopsPerListener is how many goroutines accept on each listener
// without an event set (with one, one loop serves all: serveEvents). The
// parent of a fork waits until its child has got as far as exec (on
// Linux a vfork, which has it wait anyway); with two loops, one accepts
// and forks while the other's child gets there.
const loopsPerListener = 2

// serve accepts connections on every listener, for as long as it can be
// served, with loopsPerListener goroutines each, waiting in the runtime's
// poller (rcs, from pollListeners), so that no thread is kept blocked in
// poll(2). They share the connection limit (see children): at the limit
// none accepts, and clients wait in the listen backlog until a child
// ends.
func (s *server) serve(rcs []syscall.RawConn) {
	for i, l := range s.listeners {
		for j := 0; j < loopsPerListener; j++ {
			go s.acceptFrom(rcs[i], l)
		}
	}
	select {}
}

// pollListeners hands the listeners to the runtime's poller, which this
// starts: its descriptors come next to the listeners', before any that
// the server opens for a while and closes (readyThreads' pipe), so that
// they leave no hole below the poller's.
func (s *server) pollListeners() []syscall.RawConn {
	var rcs []syscall.RawConn
	for _, l := range s.listeners {
		rc, err := os.NewFile(uintptr(l), "listener").SyscallConn()
		if err != nil {
			fatal(s.log.prog, err)
		}
		rcs = append(rcs, rc)
	}
	return rcs
}

// acceptFrom serves the listener l until it can no longer be served.
func (s *server) acceptFrom(rc syscall.RawConn, l int) {
	for {
		s.pause.wait()
		fd, sa, err := s.acceptWithSlot(rc, l)
		if err == nil && s.live.isDropped(l) {
			// Dropped by checkListeners while this loop waited: a
			// connection queued before the shutdown is not served.
			s.kids.unreserve()
			syscall.Close(fd)
			return
		}
		if err == nil {
			s.take(fd, sa)
			continue
		}
		if !s.acceptFailed(l, err, func() { time.Sleep(backoff) }) {
			return
		}
	}
}

// acceptFailed says what the failed accept on l means, rests (by rest)
// if the server is short of what it takes, and tells whether l is still
// served.
func (s *server) acceptFailed(l int, err error, rest func()) bool {
	switch acceptFailure(runtime.GOOS, err) {
	case abortedOrShutDown:
		if !stillListens(l) {
			s.drop(l, "accept: "+err.Error()+", and the socket no longer listens")
			return false
		}
		s.log.error("accept: " + err.Error())
	case oneClient:
		s.log.error("accept: " + err.Error())
	case shortOfResource:
		s.log.error("accept: " + err.Error())
		rest()
	default:
		s.drop(l, "accept: "+err.Error())
		return false
	}
	return true
}

// acceptWithSlot takes one connection from l when one comes, holding a
// slot for its child from just before the accept; the slot is the
// caller's when the error is nil, and is given back otherwise. No slot is
// held while l has nothing to accept.
func (s *server) acceptWithSlot(rc syscall.RawConn, l int) (fd int, sa syscall.Sockaddr, err error) {
	rerr := rc.Read(func(uintptr) bool {
		s.kids.reserve()
		for {
			fd, sa, err = acceptCloexec(l)
			if err != syscall.EINTR {
				break
			}
		}
		if err != nil {
			s.kids.unreserve()
		}
		return err != syscall.EAGAIN
	})
	if err == nil && rerr != nil {
		err = rerr
	}
	return fd, sa, err
}
