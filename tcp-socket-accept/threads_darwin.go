package main

// threadsNeeded is 0 on macOS, which has no per-user thread limit that a
// fork could meet first.
func threadsNeeded(procs, loops int, names, reaperBlocks bool) int { return 0 }

func readyThreads(int) (int, error) { return 0, nil }
