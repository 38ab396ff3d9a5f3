//go:build linux

package main

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// On Linux from 5.3 the server serves as s6-tcpserverd does: one loop
// waits for every listener and every child at once, and does what comes,
// on one thread. A child is watched through a pidfd (pidfd_open(2)),
// which turns readable once the child is a zombie; the listeners and the
// pidfds are in an epoll set of the server's own, which the runtime's
// poller watches. So no thread waits in the kernel for the children
// (reap.go's waitid), no goroutine hands a connection's turn to another,
// and a connection costs the thread that serves it no sleep but the one
// in which it waits for the next (ENGINEERING.md has the figures).
//
// The child is collected under the children's lock, as reap_linux.go
// collects it: a pid in the table names that child. A pidfd is a
// descriptor for as long as its child runs; a child whose pidfd cannot be
// opened (at the descriptor limit, say) is looked at every backoff, by
// wait4 with WNOHANG, until it has ended.

// eventSet is the epoll set of the listeners and the children's pidfds.
type eventSet struct {
	ep   int
	file *os.File // ep, as the runtime's poller watches it
	rc   syscall.RawConn

	mu   sync.Mutex
	last int // the listener last accepted from
}

// listenerMark is what an event's Pad holds for a listener; a pidfd's
// holds its child's pid.
const listenerMark = -1

// openEventSet opens the set, or returns nil when the server must serve
// as elsewhere (loop.go, reap.go): without pidfd_open (before Linux 5.3,
// or refused by a seccomp filter), or when this process has children
// that no pidfd would be opened for: children of whatever it was before
// exec, or, as a child subreaper (PR_SET_CHILD_SUBREAPER, kept across
// exec), orphans given to it later.
func openEventSet() *eventSet {
	if subreaper() || hasChildren() || !pidfdWorks() {
		return nil
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil
	}
	// Non-blocking, for os.NewFile to hand it to the poller.
	if err := syscall.SetNonblock(ep, true); err != nil {
		syscall.Close(ep)
		return nil
	}
	f := os.NewFile(uintptr(ep), "events")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &eventSet{ep: ep, file: f, rc: rc}
}

// addListener watches the listener l for connections.
func (e *eventSet) addListener(l int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l), Pad: listenerMark}
	return syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_ADD, l, &ev)
}

// removeListener stops watching l, which is no longer served.
func (e *eventSet) removeListener(l int) {
	syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_DEL, l, nil)
}

// accepted notes that a connection was accepted from l.
func (e *eventSet) accepted(l int) {
	e.mu.Lock()
	e.last = l
	e.mu.Unlock()
}

// listen watches listeners for connections, or stops (on false): at the
// connection limit, so that a listener's queue does not wake the loop
// while it cannot accept. The set reports them in the order they are
// watched again, so that order starts after the listener last accepted
// from: with a slot freeing at a time, a busy listener does not starve
// the others. Those no longer watched are passed over.
func (e *eventSet) listen(listeners []int, on bool) {
	var events uint32
	if on {
		events = syscall.EPOLLIN
	}
	e.mu.Lock()
	last := e.last
	e.mu.Unlock()
	start := 0
	for i, l := range listeners {
		if l == last {
			start = i + 1
		}
	}
	for i := range listeners {
		l := listeners[(start+i)%len(listeners)]
		ev := syscall.EpollEvent{Events: events, Fd: int32(l), Pad: listenerMark}
		syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_MOD, l, &ev)
	}
}

// addChild watches the child pid; false if its pidfd could not be opened.
func (e *eventSet) addChild(pid int) bool {
	fd, err := pidfdOpen(pid)
	if err != nil {
		return false
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd), Pad: int32(pid)}
	if err := syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		syscall.Close(fd)
		return false
	}
	return true
}

// forget stops watching the pidfd fd and closes it. It is taken out of
// the set first: a child forked meanwhile holds the pidfd too, until its
// exec closes it, and while another holds it, closing it alone would
// leave it in the set, there to report its child again under a number
// that may by then be another descriptor's.
func (e *eventSet) forget(fd int) {
	syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_DEL, fd, nil)
	syscall.Close(fd)
}

// wait waits in the runtime's poller until something in the set is
// ready, or the deadline (see lookAgainAt) has passed, and returns what
// is, at most len(events).
func (e *eventSet) wait(events []syscall.EpollEvent) ([]syscall.EpollEvent, error) {
	n, err := 0, error(nil)
	rerr := e.rc.Read(func(uintptr) bool {
		for {
			n, err = syscall.EpollWait(e.ep, events, 0)
			if err != syscall.EINTR {
				break
			}
		}
		return err != nil || n > 0
	})
	if err != nil {
		return nil, err
	}
	if rerr != nil && !os.IsTimeout(rerr) {
		return nil, rerr
	}
	return events[:n], nil
}

// lookAgainAt has wait return by t, for the children whose pidfds could
// not be opened; the zero time for never.
func (e *eventSet) lookAgainAt(t time.Time) {
	e.file.SetReadDeadline(t)
}

// serveEvents serves every listener and collects every child, for as
// long as a listener is served: a connection is accepted, one for each
// listener ready, and its child started, then the set is asked again, so
// that a busy listener does not starve the others.
func (s *server) serveEvents() {
	for _, l := range s.listeners {
		if err := s.events.addListener(l); err != nil {
			fatal(s.log.prog, errors.New("descriptor "+strconv.Itoa(l)+": epoll_ctl: "+err.Error()))
		}
	}
	s.kids.listen = func(on bool) { s.events.listen(s.listeners, on) }
	var buf [64]syscall.EpollEvent
	for {
		events, err := s.events.wait(buf[:])
		if err != nil {
			s.log.error("epoll_wait: " + err.Error())
			time.Sleep(backoff)
		}
		for _, ev := range events {
			if ev.Pad == listenerMark {
				s.acceptOne(int(ev.Fd))
				continue
			}
			s.collectWatched(int(ev.Pad))
			s.events.forget(int(ev.Fd))
		}
		s.collectUnwatched()
	}
}

// acceptOne accepts a connection on l, which is ready, and serves it, in
// a slot reserved for its child; at the limit it accepts none, and the
// listeners are not watched until a slot frees (see children.listen).
func (s *server) acceptOne(l int) {
	if s.live.isDropped(l) {
		return
	}
	s.pause.wait()
	if !s.kids.tryReserve() {
		return
	}
	fd, sa, err := acceptCloexec(l)
	for err == syscall.EINTR {
		fd, sa, err = acceptCloexec(l)
	}
	if err != nil {
		s.kids.unreserve()
		if err != syscall.EAGAIN && !s.acceptFailed(l, err) {
			s.events.removeListener(l)
		}
		return
	}
	s.events.accepted(l)
	s.take(fd, sa)
}

// watchChild watches the child pid, which has been recorded.
func (s *server) watchChild(pid int) {
	if s.events.addChild(pid) {
		return
	}
	k := s.kids
	k.mu.Lock()
	k.unwatched = append(k.unwatched, pid)
	s.events.lookAgainAt(time.Now().Add(backoff))
	k.mu.Unlock()
}

// collectWatched collects the child pid, which its pidfd says has ended,
// and writes its ended line.
func (s *server) collectWatched(pid int) {
	k := s.kids
	k.mu.Lock()
	ws, collected := exited{pid: pid}.collect()
	s.forgetCollected(pid, ws, collected)
}

// collectUnwatched collects those children watched by no pidfd that
// have ended, and has the set looked at again later while some still run.
func (s *server) collectUnwatched() {
	k := s.kids
	k.mu.Lock()
	pids := append([]int(nil), k.unwatched...)
	k.mu.Unlock()
	if len(pids) == 0 {
		return
	}
	for _, pid := range pids {
		k.mu.Lock()
		ws, collected := exited{pid: pid}.collect()
		if collected {
			k.unwatched = without(k.unwatched, pid)
		}
		s.forgetCollected(pid, ws, collected)
	}
	k.mu.Lock()
	next := time.Time{}
	if len(k.unwatched) > 0 {
		next = time.Now().Add(backoff)
	}
	s.events.lookAgainAt(next)
	k.mu.Unlock()
}

// without is pids without pid, in place.
func without(pids []int, pid int) []int {
	for i, p := range pids {
		if p == pid {
			return append(pids[:i], pids[i+1:]...)
		}
	}
	return pids
}

// pidfdOpen is pidfd_open(2): a descriptor, close-on-exec, for the
// process pid. Its number is 434 on every architecture but MIPS, whose
// system calls are numbered from a base of each ABI's.
func pidfdOpen(pid int) (int, error) {
	nr := uintptr(434)
	switch runtime.GOARCH {
	case "mips", "mipsle":
		nr += 4000
	case "mips64", "mips64le":
		nr += 5000
	}
	fd, _, errno := syscall.Syscall(nr, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// pidfdWorks tells whether pidfd_open works here, tried on this process.
func pidfdWorks() bool {
	fd, err := pidfdOpen(syscall.Getpid())
	if err != nil {
		return false
	}
	syscall.Close(fd)
	return true
}

// subreaper tells whether this process is a child subreaper.
func subreaper() bool {
	const prGetChildSubreaper = 37
	var on int32
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prGetChildSubreaper, uintptr(unsafe.Pointer(&on)), 0)
	return errno == 0 && on != 0
}

// hasChildren tells whether this process has any child, running or
// ended, by waitid(2) with WNOHANG and WNOWAIT, which collects none:
// ECHILD says it has none.
func hasChildren() bool {
	const pAll = 0
	var si siginfo
	for {
		_, _, errno := syscall.Syscall6(syscall.SYS_WAITID, pAll, 0, uintptr(unsafe.Pointer(&si)), syscall.WEXITED|syscall.WNOHANG|syscall.WNOWAIT, 0, 0)
		if errno != syscall.EINTR {
			return errno != syscall.ECHILD
		}
	}
}
