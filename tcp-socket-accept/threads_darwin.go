package main

// spareThreads is none on macOS, which has no per-user thread limit that a
// fork could meet first.
const spareThreads = 0

func warmThreads(int) {}
