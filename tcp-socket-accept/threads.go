//go:build !darwin

package main

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// threadsNeeded is how many threads the server can ever run on, with
// procs Ps and loops goroutines that accept (with an event set,
// events_linux.go, one, which serves all the listeners; without,
// loopsPerListener for each listener), and
// a reaper that waits in the kernel (reaperBlocks: without an event set)
// or none. The runtime starts a thread only when
// it has work for one and none is idle, and an idle thread is never ended;
// a thread is either idle or one of these:
//   - the runtime's monitor (sysmon);
//   - os/signal's, which keeps the signal mask, locked to its goroutine
//     for good, and the template thread that its LockOSThread starts;
//   - one running Go code for each P, and as many again on their way
//     from a P to idle, for a moment;
//   - one waiting in the poller without a P;
//   - one for each goroutine that can be in a system call, which holds
//     its thread while the call lasts: os/signal's receiver, always; the
//     reaper, when it waits in the kernel (waitid or wait4; with an
//     event set the loop collects the children); the signal handler;
//     the end on SIGTERM, SIGUSR1 and the like; and each accept loop, in
//     accept, the rules file, fork, a child's collection or a write to a
//     standard error that blocks, one call at a time; with -h (names),
//     as many again for the goroutines that
//     serve named clients, in turns (see serveNamed), and one for the
//     lookups, whose system calls are made one at a time (see namer),
//     however many are in progress, and whose waits are in the poller.
//     The other goroutines only wait on channels and locks, which hold
//     no thread.
func threadsNeeded(procs, loops int, names, reaperBlocks bool) int {
	n := 1 + 2 + 2*procs + 1 + 3 + loops
	if reaperBlocks {
		n++
	}
	if names {
		n += loops + 1
	}
	return n
}

// readyThreads has the runtime start, before the server serves, every
// thread it can need (threadsNeeded), so that once it serves it never
// needs a new one. At the user's limit of tasks (RLIMIT_NPROC, which
// counts threads with processes on Linux, or a pids cgroup; NetBSD's
// RLIMIT_NTHR; the other BSDs' RLIMIT_NPROC counts processes only) a fork
// that fails is a connection the server drops, but a thread the runtime
// cannot start is a fatal error. It blocks goroutines in read(2) on a
// pipe, each holding a thread, until the runtime has started the
// threads, then lets them all go: the threads stay, idle, for the runtime
// to reuse. It returns how many the runtime has, fewer than want if they
// could not be started within 5 seconds or the pipe could not be made (at
// a descriptor limit of 7 or so, where the server could not fork anyway).
func readyThreads(want int) (int, error) {
	// A collection now, while threads can still be started, and not at
	// the first connection: it starts the GC's workers.
	runtime.GC()
	if n := threadCount(); n >= want {
		return n, nil
	}
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return threadCount(), errors.New("pipe2: " + err.Error())
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	var wg sync.WaitGroup
	var started int32 // blockers that have begun their read
	blocked := 0
	// Each blocker holds a thread: want of them are enough, whatever the
	// runtime does meanwhile.
	for deadline := time.Now().Add(5 * time.Second); blocked < want && time.Now().Before(deadline); {
		n := threadCount()
		if n >= want {
			break
		}
		// Half as many more as there are threads to start, and at least
		// one: one that finds a thread idle starts none, and the runtime
		// may start one for other work meanwhile, so that the count is
		// approached rather than overshot.
		for more := (want - n + 1) / 2; more > 0 && blocked < want; more-- {
			wg.Add(1)
			blocked++
			go blockIn(p[0], &started, &wg)
		}
		settle(&started, int32(blocked))
	}
	release := make([]byte, blocked)
	for len(release) > 0 {
		n, err := syscall.Write(p[1], release)
		if err != nil && err != syscall.EINTR {
			return threadCount(), errors.New("write: " + err.Error())
		}
		if n > 0 {
			release = release[n:]
		}
	}
	wg.Wait()
	return threadCount(), nil
}

// blockIn reads a byte from fd, a pipe, holding its thread until one
// comes.
func blockIn(fd int, started *int32, wg *sync.WaitGroup) {
	defer wg.Done()
	atomic.AddInt32(started, 1)
	var b [1]byte
	for {
		if _, err := syscall.Read(fd, b[:]); err != syscall.EINTR {
			return
		}
	}
}

// settle returns when the blockers have all begun their reads and the
// runtime has started no thread for a millisecond: each blocked read's P
// is taken from it and given a new thread within a tick of the runtime's
// monitor, 20 µs while it is busy. It sleeps in nanosleep(2), a
// thread's own sleep, which the runtime counts as a system call like the
// reads, so that the P it leaves is handed on as theirs are.
func settle(started *int32, blocked int32) {
	last, since := threadCount(), time.Now()
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		if atomic.LoadInt32(started) == blocked && time.Since(since) >= time.Millisecond {
			return
		}
		ts := syscall.NsecToTimespec(int64(100 * time.Microsecond))
		syscall.Nanosleep(&ts, nil)
		if n := threadCount(); n != last {
			last, since = n, time.Now()
		}
	}
}

// threadCount is how many threads the runtime has started (its Ms, which
// ThreadCreateProfile counts), the main thread included.
func threadCount() int {
	n, _ := runtime.ThreadCreateProfile(nil)
	return n
}
