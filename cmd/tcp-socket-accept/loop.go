package main

import (
	"syscall"
	"time"
	"unsafe"
)

// backoff is how long the loop rests when the system is out of a
// resource that accepting needs: the connection stays queued, and poll
// would report it again at once.
const backoff = 100 * time.Millisecond

// pollFd is struct pollfd.
type pollFd struct {
	fd      int32
	events  int16
	revents int16
}

const pollIn = 0x1 // POLLIN

// serve accepts connections on the listeners for ever. Below the limit it
// waits in one poll(2) over all of them and takes one connection from each
// that is ready, starting each round one listener further on, so that a
// busy socket cannot starve the others. At the limit it does not poll:
// clients wait in the listen backlog until a child ends.
func (s *server) serve() {
	fds := make([]pollFd, len(s.listeners))
	for i, l := range s.listeners {
		fds[i] = pollFd{fd: int32(l), events: pollIn}
	}
	for round := 0; ; round++ {
		s.kids.waitForSlot()
		if err := poll(fds); err != nil {
			s.log.error("poll: " + err.Error())
			time.Sleep(backoff)
			continue
		}
		for j := range fds {
			p := &fds[(round+j)%len(fds)]
			if p.revents != 0 {
				s.acceptOne(int(p.fd))
			}
		}
	}
}

// poll waits, without a time limit, until a listener is ready.
func poll(fds []pollFd) error {
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_PPOLL, uintptr(unsafe.Pointer(&fds[0])), uintptr(len(fds)), 0, 0, 0, 0)
		switch errno {
		case 0:
			return nil
		case syscall.EINTR:
			continue
		}
		return errno
	}
}

// acceptOne takes one connection from the listener l, if one is still
// there, and hands it to a child.
func (s *server) acceptOne(l int) {
	if !s.kids.hasSlot() {
		return
	}
	// SOCK_CLOEXEC: the connection reaches its own child as 0 and 1, and
	// no other. The listener's O_NONBLOCK is not inherited, so the child
	// gets the connection blocking, as accept(2) makes it.
	fd, sa, err := syscall.Accept4(l, syscall.SOCK_CLOEXEC)
	switch err {
	case nil:
	case syscall.EAGAIN, syscall.EINTR:
		return // another process took it, or a signal came first
	case syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM:
		s.log.error("accept: " + err.Error())
		time.Sleep(backoff)
		return
	default:
		// ECONNABORTED, EPROTO, EPERM (a firewall) and the like concern
		// one client only.
		s.log.error("accept: " + err.Error())
		return
	}
	s.handle(fd, sa)
	syscall.Close(fd)
}
