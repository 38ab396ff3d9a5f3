package main

import (
	"runtime"
	"runtime/debug"
)

// tuneRuntime fits the Go runtime to a server that spends its life in
// accept, fork and reap, unless the environment says otherwise. The
// threads it can need are readied after (readyThreads): how many depends
// on the Ps.
func tuneRuntime(env []string) {
	// Two Ps. Without an event set, one for each of a listener's two
	// accept loops: a loop that forks holds its P until the child has got
	// as far as exec, and the other accepts meanwhile. With one (Linux),
	// the one loop runs on one P, and the other, idle, keeps the runtime
	// from taking the first from a loop in a system call of some tens of
	// microseconds (ForkExec's read of its pipe) and handing it to
	// another thread: with one P the server's CPU time per connection
	// and its sleeps are higher (bench-accept, 2 CPUs: 345 against 278
	// µs and 7.1 against 3.7 sleeps a connection, in two runs beside
	// the same build; ENGINEERING.md). More Ps only add threads waking
	// each other.
	// GOMAXPROCS in the environment still decides.
	if _, set := getenv(env, "GOMAXPROCS"); !set {
		procs := 2
		if n := runtime.NumCPU(); n < procs {
			procs = n
		}
		runtime.GOMAXPROCS(procs)
	}
	// Nothing the server allocates outlives its connection: a heap goal
	// of a quarter of the live heap (almost nothing) over the minimum
	// keeps the peak resident set near 5 MB instead of 8, for a GC that
	// costs little when nothing survives it. GOGC still decides.
	if _, set := getenv(env, "GOGC"); !set {
		debug.SetGCPercent(25)
	}
}
