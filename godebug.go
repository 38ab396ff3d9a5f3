//go:build go1.25

// The runtime settings of a build with Go 1.25 or later. go.mod's go line
// is the oldest toolchain that builds this program, and a newer one takes
// its defaults from that line; these keep the behaviour this program was
// measured with, whatever line the module that builds it says. A file of
// its own, built only from Go 1.25, since a toolchain refuses a //go:debug
// setting it does not know. ENGINEERING.md lists each build's settings.

// The cgroup-aware GOMAXPROCS (Go 1.25) would keep cgroup files open for
// the life of the process, on the lowest free descriptors, which are
// where listening sockets go: these make it close them before main runs.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

// Go's own resolver even in a build with cgo; addr.go asks for it too,
// for the toolchains that read no //go:debug line.

//go:debug netdns=go

// Timer channels without a buffer (Go 1.23), as in the rest of the
// program's life; anonymous mappings named in /proc/self/maps (Go 1.25);
// panic(nil) a run-time error (Go 1.21).

//go:debug asynctimerchan=0
//go:debug decoratemappings=1
//go:debug panicnil=0

package main
