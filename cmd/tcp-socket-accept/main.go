// The runtime's cgroup-aware GOMAXPROCS keeps cgroup files open for the
// life of the process, on the lowest free descriptors, which are where
// listening sockets are found; these settings make it close them before
// main runs.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

// Command tcp-socket-accept serves the listening sockets it inherits:
// for each connection it starts next-prog with the connection on its
// standard input and output and the UCSPI variables set, as the nosh
// toolset's tool of the same name does.
package main

import (
	"os"
	"syscall"

	"tcp-socket-tools/internal/cmdline"
	"tcp-socket-tools/internal/diag"
	"tcp-socket-tools/internal/environ"
)

// server is what the accept loop, the reaper and the signal handler share.
type server struct {
	cfg       config
	listeners []int
	env       []string // as the server received it
	kids      *children
	log       logger
}

func main() {
	prog, args := cmdline.Split(os.Args, "tcp-socket-accept")
	c, req, err := parseArgs(args)
	if err != nil {
		diag.Fatal(prog, err)
	}
	if c.command().Answer(req, prog) {
		return
	}
	// The listeners are checked before anything starts the runtime's
	// poller, whose descriptors would take free slots among them;
	// environ.Read's descriptor is closed again at once.
	env, err := environ.Read()
	if err != nil {
		diag.Fatal(prog, err)
	}
	n, err := listenerCount(env, syscall.Getpid())
	if err != nil {
		diag.Fatal(prog, err)
	}
	fds, err := openListeners(n)
	if err != nil {
		diag.Fatal(prog, err)
	}
	s := &server{
		cfg:       c,
		listeners: fds,
		env:       env,
		kids:      newChildren(c.limit, c.perHost),
		log:       logger{prog: prog, verbose: c.verbose},
	}
	tuneRuntime(env)
	s.catchSignals(ignoredStopSignals())
	go s.reap()
	s.serve()
}
