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
// descriptor for as long as its child runs, which the server only uses
// where its descriptor limit leaves room for one a child (openEventSet).
// A child whose pidfd cannot be opened after all (with -h, whose lookups
// hold descriptors too), or whose pidfd is readable before it can be
// collected (a child another process traces), is looked at every
// backoff, by wait4 with WNOHANG, until it has been collected.

// eventSet is the epoll set of the listeners and the children's pidfds.
type eventSet struct {
	ep   int
	file *os.File // ep, as the runtime's poller watches it
	rc   syscall.RawConn

	mu   sync.Mutex
	last int         // the listener last accepted from
	pids map[int]int // each pidfd's child
}

// openEventSet opens the set for a server of listeners listeners and at
// most children children at once, whose lookups (-h) may hold a
// descriptor each, or returns nil when the server must serve as
// elsewhere (loop.go, reap.go): without pidfd_open (before Linux 5.3, or
// refused by a seccomp filter); when this process has children that no
// pidfd would be opened for: children of whatever it was before exec,
// or orphans given to it later, as process 1 (of a container, say) or
// as a child subreaper (PR_SET_CHILD_SUBREAPER, kept across exec); or
// when its descriptor limit leaves no room for a pidfd a child, or, at a
// tiny limit, for the set and the runtime's poller, whose start fails
// where there is none.
func openEventSet(listeners, children int, names bool) *eventSet {
	if syscall.Getpid() == 1 || subreaper() || hasChildren() || !pidfdWorks() {
		return nil
	}
	need := 16 + listeners + children // a pidfd a child, a connection at a time
	if names {
		need += 2 * children // each lookup's connection and socket
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < uint64(need) || freeBelow(1+3, lim.Cur, false) < 1+3 {
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
	return &eventSet{ep: ep, file: f, rc: rc, pids: map[int]int{}}
}

// addListener watches the listener l for connections.
func (e *eventSet) addListener(l int) error {
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(l)}
	return syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_ADD, l, &ev)
}

// removeListener stops watching l.
func (e *eventSet) removeListener(l int) {
	syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_DEL, l, nil)
}

// accepted notes that a connection was accepted from l.
func (e *eventSet) accepted(l int) {
	e.mu.Lock()
	e.last = l
	e.mu.Unlock()
}

// listen watches listeners for connections again, or stops (on false):
// at the connection limit, so that a listener's queue does not wake the
// loop while it cannot accept. They are taken out of the set, for a
// listener shut down under the server would be reported however little
// it were watched for (EPOLLHUP). The set reports them in the order they
// are put back, so that order starts after the listener last accepted
// from: with a slot freeing at a time, a busy listener does not starve
// the others.
func (e *eventSet) listen(listeners []int, on bool) {
	if !on {
		for _, l := range listeners {
			e.removeListener(l)
		}
		return
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
		e.addListener(listeners[(start+i)%len(listeners)])
	}
}

// addChild watches the child pid; false if its pidfd could not be opened.
func (e *eventSet) addChild(pid int) bool {
	fd, err := pidfdOpen(pid)
	if err != nil {
		return false
	}
	e.mu.Lock()
	e.pids[fd] = pid
	e.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		e.forget(fd)
		return false
	}
	return true
}

// forget stops watching the pidfd fd, closes it, and returns its child,
// 0 for none known. The child is looked up and forgotten first: once
// the pidfd is closed, a goroutine that starts a named client's child
// (-h) may be given its number. The pidfd is taken out of the set before
// it is closed: a child forked meanwhile holds it too, until its exec
// closes it, and while another holds it, closing it alone would leave it
// in the set, there to report its child again under a number that may by
// then be another descriptor's.
func (e *eventSet) forget(fd int) int {
	e.mu.Lock()
	pid := e.pids[fd]
	delete(e.pids, fd)
	e.mu.Unlock()
	syscall.EpollCtl(e.ep, syscall.EPOLL_CTL_DEL, fd, nil)
	syscall.Close(fd)
	return pid
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
// long as a listener is served: the children that have ended are
// collected first, so that at a process limit their processes are free
// for the next fork; then a connection is accepted, one for each
// listener ready, and its child started; then the set is asked again, so
// that a busy listener does not starve the others.
func (s *server) serveEvents() {
	for _, l := range s.listeners {
		if err := s.events.addListener(l); err != nil {
			fatal(s.log.prog, errors.New("descriptor "+strconv.Itoa(l)+": epoll_ctl: "+err.Error()))
		}
	}
	s.kids.listen = func(on bool) { s.events.listen(s.live.served(s.listeners), on) }
	var buf [64]syscall.EpollEvent
	for {
		// A rest (see pause), before the set is asked: the children
		// that end meanwhile are collected after it, before any accept.
		s.pause.wait()
		events, err := s.events.wait(buf[:])
		if err != nil {
			// Not one the kernel gives a valid set: the server cannot
			// go on, and a supervisor starts it again.
			fatal(s.log.prog, errors.New("epoll_wait: "+err.Error()))
		}
		for _, ev := range events {
			if !s.isListener(int(ev.Fd)) {
				s.collectWatched(int(ev.Fd))
			}
		}
		for _, ev := range events {
			if s.isListener(int(ev.Fd)) {
				s.acceptOne(int(ev.Fd))
			}
		}
		s.collectUnwatched()
	}
}

// isListener tells whether fd is one of the listeners.
func (s *server) isListener(fd int) bool {
	for _, l := range s.listeners {
		if l == fd {
			return true
		}
	}
	return false
}

// acceptOne accepts a connection on l, which is ready, and serves it, in
// a slot reserved for its child; at the limit it accepts none, and the
// listeners are not watched until a slot frees (see children.listen);
// while the server rests, none either.
func (s *server) acceptOne(l int) {
	if s.live.isDropped(l) || s.pause.resting() || !s.kids.tryReserve() {
		return
	}
	fd, sa, err := acceptCloexec(l)
	for err == syscall.EINTR {
		fd, sa, err = acceptCloexec(l)
	}
	if err != nil {
		s.kids.unreserve()
		if err == syscall.EAGAIN {
			return
		}
		if !s.acceptFailed(l, err, func() { s.pause.start(backoff) }) {
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
	s.kids.mu.Lock()
	s.watchLater(pid)
	s.kids.mu.Unlock()
}

// watchLater has the child pid, watched by no pidfd, looked at every
// backoff until it can be collected (collectUnwatched); with the
// children's lock held, under which the deadline is set and cleared.
func (s *server) watchLater(pid int) {
	s.kids.unwatched = append(s.kids.unwatched, pid)
	s.events.lookAgainAt(time.Now().Add(backoff))
}

// collectWatched collects the child whose pidfd, fd, says it has ended,
// and writes its ended line. One that cannot be collected yet (a child
// that another process traces is the tracer's to collect first) is
// looked at again every backoff.
func (s *server) collectWatched(fd int) {
	pid := s.events.forget(fd)
	if pid <= 0 {
		return
	}
	k := s.kids
	k.mu.Lock()
	ws, collected := exited{pid: pid}.collect()
	if !collected {
		s.watchLater(pid)
	}
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
		} else if !isChild(pid) {
			// Not the server's child any more, nor a zombie of it:
			// nothing to collect, and its slot is free.
			k.unwatched = without(k.unwatched, pid)
			k.reaped(pid)
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
// process pid. Its number is 434 on the architectures of gc's Linux
// ports, but MIPS, whose system calls are numbered from a base of each
// ABI's; ENOSYS on others (gccgo's), whose numbers differ.
func pidfdOpen(pid int) (int, error) {
	nr := uintptr(434)
	switch runtime.GOARCH {
	case "386", "amd64", "arm", "arm64", "loong64", "ppc64", "ppc64le", "riscv64", "s390x":
	case "mips", "mipsle":
		nr += 4000
	case "mips64", "mips64le":
		nr += 5000
	default:
		return -1, syscall.ENOSYS
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
// ended.
func hasChildren() bool { return waitable(pAll, 0) }

// isChild tells whether pid is a child of this process, running or
// ended.
func isChild(pid int) bool { return waitable(pPid, pid) }

// waitable asks waitid(2), with WNOHANG and WNOWAIT, which collect
// nothing, whether this process has a child of idtype and id: ECHILD
// says it has none.
func waitable(idtype, id int) bool {
	for {
		_, err := waitid(idtype, id, syscall.WEXITED|syscall.WNOHANG|syscall.WNOWAIT)
		if err != syscall.EINTR {
			return err != syscall.ECHILD
		}
	}
}
