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
	// Two Ps, one for each of a listener's two accept loops: a loop that
	// forks holds its P until the child has got as far as exec, and the
	// other accepts meanwhile. More Ps only add threads waking each
	// other; one P costs 40% less CPU time per connection but lets one
	// fork stall everything, and p99 latency goes from 12 to 19 ms
	// (bench-accept, 2 CPUs). GOMAXPROCS in the environment still decides.
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
