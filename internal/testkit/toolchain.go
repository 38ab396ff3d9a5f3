package testkit

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"strconv"
)

// The binaries under test come from any toolchain that builds them: gc
// Go from 1.19 to the newest, or gccgo. Where a build truly behaves
// otherwise, a test asks which built the binary and pins the difference.

// BuildTool is the toolchain that built a binary: Compiler "gc", with the
// release it reports (Release "go1.19.8"), or "gccgo".
type BuildTool struct {
	Compiler string
	Release  string
}

// Toolchain reads the toolchain from the binary at path: gc writes its
// build information, which gccgo does not; gccgo's binaries carry GCC's
// note in the .comment section.
func Toolchain(path string) BuildTool {
	if info, err := buildinfo.ReadFile(path); err == nil {
		return BuildTool{Compiler: "gc", Release: info.GoVersion}
	}
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		if s := f.Section(".comment"); s != nil {
			if data, err := s.Data(); err == nil && bytes.Contains(data, []byte("GCC:")) {
				return BuildTool{Compiler: "gccgo"}
			}
		}
	}
	return BuildTool{Compiler: "unknown"}
}

func (t BuildTool) String() string {
	if t.Release != "" {
		return t.Compiler + " " + t.Release
	}
	return t.Compiler
}

// GcBefore tells whether t is gc older than Go 1.minor.
func (t BuildTool) GcBefore(minor int) bool {
	if t.Compiler != "gc" {
		return false
	}
	rest, ok := CutPrefix(t.Release, "go1.")
	if !ok {
		return false
	}
	// The minor release's digits: "22" of go1.22.5 and of go1.22rc1.
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(rest[:end])
	return err == nil && n < minor
}

// PollerFDs is how many descriptors the runtime of a Linux build opens for
// its poller: an epoll and an eventfd from Go 1.23, an epoll and a pipe
// before, and in gccgo.
func (t BuildTool) PollerFDs() int {
	if t.Compiler == "gc" && !t.GcBefore(23) {
		return 2
	}
	return 3
}

// RestoresNofile tells whether the build's next-prog gets the soft
// RLIMIT_NOFILE its caller set. gc raises it before main from Go 1.19,
// and gives it back at exec only from Go 1.21; gccgo's runtime leaves it,
// and tcp-socket-listen raises and restores it itself.
func (t BuildTool) RestoresNofile() bool {
	return !t.GcBefore(21)
}

// StartFDs is how many free descriptors a build's runtime needs before
// main, with standard input blocking or not: with a non-blocking one,
// package os starts the poller during its initialisation. gccgo's
// runtime also samples an allocation for the memory profile, most often
// one before main, and libbacktrace then opens the executable and looks
// for its separate debug file, two descriptors at once, closed again at
// once; at a limit that leaves fewer, the runtime dies.
func (t BuildTool) StartFDs(nonblocking bool) int {
	n := 0
	if nonblocking {
		n = t.PollerFDs()
	}
	if t.Compiler == "gccgo" && n < 2 {
		n = 2
	}
	return n
}
