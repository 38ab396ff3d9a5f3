package main

import (
	"errors"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// What a failed accept means, and what the loop does about it.
type failure int

const (
	oneClient         failure = iota // log, and go on
	shortOfResource                  // log, and rest: it will come back
	listenerGone                     // the listener can no longer be served
	abortedOrShutDown                // one client, unless the listener no longer listens
)

// acceptFailure says what err from accept means on sys, a value of
// runtime.GOOS. A listener that stops listening while the server holds
// it (another holder of the socket calls shutdown(2) on it, or an
// administrator runs ss -K) fails every accept on Linux with EINVAL at
// once and for ever, so an error not known to be passing ends the
// serving of the listener rather than being retried. On OpenBSD and
// DragonFly it fails with ECONNABORTED for ever (doaccept,
// soaccept_predicate), and on NetBSD too once a holder of the socket has
// made it blocking (its non-blocking mode is the socket's, shared): the
// error of a client that reset before it was accepted. So outside Linux
// an ECONNABORTED asks the listener whether it still listens, which
// costs three system calls where it is a client's.
func acceptFailure(sys string, err error) failure {
	switch {
	case err == syscall.ECONNABORTED && sys != "linux":
		return abortedOrShutDown
	case err == syscall.ECONNABORTED:
		return oneClient
	case err == syscall.EMFILE, err == syscall.ENFILE, err == syscall.ENOBUFS, err == syscall.ENOMEM:
		return shortOfResource
	case sys == "linux" && passedOnByLinux(err):
		return oneClient
	case sys == "darwin" && (err == syscall.EPERM || err == syscall.EACCES):
		// macOS takes the connection off the queue before its MAC
		// policy may refuse it (accept_nocancel).
		return oneClient
	}
	return listenerGone
}

// pollerMissesShutdown tells whether the kernel's poller on sys may
// never report a listener that is shut down under the server: the kqueue
// filters of OpenBSD, NetBSD and DragonFly look only at the queue of
// connections (filt_soread, filt_solisten), and a listener shut down
// queues none again (but on DragonFly after SHUT_RD). There the server
// checks its listeners every watchInterval (watchListeners). Linux's
// epoll reports it; FreeBSD's listener goes on listening, and macOS
// refuses to shut one down (ENOTCONN).
func pollerMissesShutdown(sys string) bool {
	return sys == "openbsd" || sys == "netbsd" || sys == "dragonfly"
}

// stillListens tells whether the listener l still listens, as far as its
// system shows it: after shutdown(2) Linux turns SO_ACCEPTCONN off;
// OpenBSD, NetBSD and DragonFly detach the socket from TCP on SHUT_WR,
// so that its address can no longer be read, and on SHUT_RD set the size
// of its receive buffer to 0 (sorflush). A check that fails for want of
// memory says nothing.
func stillListens(l int) bool {
	if _, err := syscall.Getsockname(l); err != nil && err != syscall.ENOBUFS && err != syscall.ENOMEM {
		return false
	}
	if n, err := syscall.GetsockoptInt(l, syscall.SOL_SOCKET, syscall.SO_RCVBUF); err == nil && n == 0 {
		return false
	}
	if !readsAcceptConn(runtime.GOOS) {
		return true
	}
	on, err := syscall.GetsockoptInt(l, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	return err != nil || on != 0
}

// watchInterval is how often the server checks its listeners where the
// kernel's poller would not report one shut down.
const watchInterval = 5 * time.Second

// watchListeners checks the listeners every watchInterval.
func (s *server) watchListeners() {
	for {
		time.Sleep(watchInterval)
		s.checkListeners()
	}
}

// checkListeners drops each listener still served that no longer
// listens, as a failed accept would drop it.
func (s *server) checkListeners() {
	for _, l := range s.live.shutDown(s.listeners) {
		s.drop(l, "the socket no longer listens")
	}
}

// liveListeners counts the listeners still served, so that each that
// fails is reported once, by the first of its loops to see it.
type liveListeners struct {
	mu      sync.Mutex
	dropped map[int]bool
	left    int
}

func newLiveListeners(n int) *liveListeners {
	return &liveListeners{dropped: map[int]bool{}, left: n}
}

// isDropped tells whether l is no longer served.
func (ls *liveListeners) isDropped(l int) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return ls.dropped[l]
}

// served lists those of listeners still served.
func (ls *liveListeners) served(listeners []int) []int {
	var live []int
	for _, l := range listeners {
		if !ls.isDropped(l) {
			live = append(live, l)
		}
	}
	return live
}

// shutDown lists those of listeners still served that no longer listen.
func (ls *liveListeners) shutDown(listeners []int) []int {
	var gone []int
	for _, l := range listeners {
		if !ls.isDropped(l) && !stillListens(l) {
			gone = append(gone, l)
		}
	}
	return gone
}

// drop stops serving l, and tells whether it was served until now, and
// how many listeners are still served.
func (ls *liveListeners) drop(l int) (first bool, left int) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.dropped[l] {
		return false, ls.left
	}
	ls.dropped[l] = true
	ls.left--
	return true, ls.left
}

// drop stops serving the listener l, for the reason why: one ERROR line
// naming it, the first time, while others are served; one FATAL line
// and exit status 1 when it was the last, so that a supervisor starts the
// server, and what gave it its sockets, again. Children are left running,
// as on SIGTERM.
func (s *server) drop(l int, why string) {
	first, left := s.live.drop(l)
	if !first {
		return
	}
	msg := "descriptor " + strconv.Itoa(l) + ": " + why
	if left == 0 {
		fatal(s.log.prog, errors.New(msg))
	}
	s.log.error(msg + "; no longer served")
}
