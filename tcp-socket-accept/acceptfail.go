package main

import (
	"errors"
	"strconv"
	"sync"
	"syscall"
)

// What a failed accept means, and what the loop does about it.
type failure int

const (
	oneClient       failure = iota // log, and go on
	shortOfResource                // log, and rest: it will come back
	listenerGone                   // the listener can no longer be served
)

// acceptFailure says what err from accept means. A listener that stops
// listening while the server holds it (another holder of the socket calls
// shutdown(2) on it, or an administrator runs ss -K) fails every accept
// with EINVAL at once and for ever, so an error not known to be passing
// ends the serving of the listener rather than being retried.
func acceptFailure(err error) failure {
	switch err {
	case syscall.ECONNABORTED, syscall.EPROTO, syscall.EPERM,
		// Errors of the connection's network that Linux's accept(2)
		// passes on, to be treated as EAGAIN.
		syscall.ENETDOWN, syscall.ENOPROTOOPT, syscall.EHOSTDOWN,
		syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ENETUNREACH,
		syscall.ETIMEDOUT:
		return oneClient
	case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM:
		return shortOfResource
	}
	if isNoNet(err) {
		return oneClient
	}
	return listenerGone
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

// drop stops serving the listener l, which failed with err: one ERROR
// line naming it, the first time, while others are served; one FATAL line
// and exit status 1 when it was the last, so that a supervisor starts the
// server, and what gave it its sockets, again. Children are left running,
// as on SIGTERM.
func (s *server) drop(l int, err error) {
	first, left := s.live.drop(l)
	if !first {
		return
	}
	msg := "descriptor " + strconv.Itoa(l) + ": accept: " + err.Error()
	if left == 0 {
		fatal(s.log.prog, errors.New(msg))
	}
	s.log.error(msg + "; no longer served")
}
