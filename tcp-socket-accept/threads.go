//go:build !darwin

package main

import (
	"sync"
	"syscall"
	"time"
)

// spareThreads is how many threads the server makes at start beyond what
// the runtime needs then.
const spareThreads = 3

// warmThreads makes the runtime start the threads the server will need
// while it can: at the user's process limit (RLIMIT_NPROC counts threads)
// a fork fails with EAGAIN, which the server survives, but a thread the
// runtime cannot create is a fatal error. Goroutines blocked in a system
// call at once each hold a thread; when they return, the threads stay,
// idle, for the runtime to reuse.
func warmThreads(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts := syscall.NsecToTimespec(int64(20 * time.Millisecond))
			syscall.Nanosleep(&ts, nil)
		}()
	}
	wg.Wait()
}
