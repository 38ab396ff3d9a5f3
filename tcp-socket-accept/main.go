// Command tcp-socket-accept serves the listening sockets it inherits:
// for each connection it starts next-prog with the connection on its
// standard input and output and the UCSPI variables set, as the nosh
// toolset's tool of the same name does.
package main

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
)

// server is what the accept loop, the reaper and the signal handler share.
type server struct {
	pause     pause // a rest for every accept loop; first, for its 64-bit atomic on 32-bit systems
	cfg       config
	listeners []int
	live      *liveListeners // those still served
	env       []string       // as the server received it
	path      string         // where next-prog is looked for: env's PATH
	kids      *children
	events    *eventSet     // nil: a loop for each listener and a reaper (loop.go, reap.go)
	rules     *rulesFile    // nil without -x
	ids       ids           // whom to run as (-U, -u, -g)
	names     *namer        // nil without -h
	turns     chan struct{} // with -h: one for each accept loop (see serveNamed)
	log       logger
}

func main() {
	noMemProfile()
	openStandardFDs()
	prog, args := splitArgv(os.Args, "tcp-socket-accept")
	c, req, err := parseArgs(args)
	c.grammar().settle(prog, req, err)
	s, err := newServer(prog, c)
	if err != nil {
		fatal(prog, err)
	}
	// Signals first: until they are caught, a SIGHUP ends the server
	// silently and a SIGQUIT dumps the runtime's goroutines, and what
	// follows takes time (readyThreads).
	s.catchSignals(ignoredStopSignals())
	quietChildSignal()
	tuneRuntime(s.env)
	var rcs []syscall.RawConn
	if s.events = openEventSet(len(s.listeners), s.kids.limit, s.names != nil); s.events == nil {
		rcs = s.pollListeners()
	}
	if s.names != nil {
		s.turns = make(chan struct{}, s.loops())
	}
	s.readyThreads(threadsNeeded(runtime.GOMAXPROCS(0), s.loops(), s.names != nil, s.events == nil))
	if err := s.ids.become(); err != nil {
		fatal(prog, err)
	}
	if s.events == nil {
		go s.reap()
	}
	s.log.serving(s.kids.limit)
	if pollerMissesShutdown(runtime.GOOS) {
		go s.watchListeners()
	}
	if s.events != nil {
		s.serveEvents()
	} else {
		s.serve(rcs)
	}
}

// loops is how many goroutines accept: with an event set, one, which
// serves all the listeners (serveEvents); without, loopsPerListener for
// each listener (serve).
func (s *server) loops() int {
	if s.events != nil {
		return 1
	}
	return loopsPerListener * len(s.listeners)
}

// readyThreads readies want threads (see threads.go), and says so in an
// ERROR line if it could not: the server serves all the same, as it
// would have without them, until a process limit meets the runtime.
func (s *server) readyThreads(want int) {
	have, err := readyThreads(want)
	if err == nil && have >= want {
		return
	}
	why := "5 s passed"
	if err != nil {
		why = err.Error()
	}
	s.log.error("readying threads: " + strconv.Itoa(have) + " of " + strconv.Itoa(want) + " started (" + why + "); at a process limit the server may need one it cannot start")
}

// newServer takes what the server inherits: its environment, exactly, and
// the listening sockets it names. The listeners are checked before
// anything starts the runtime's poller, whose descriptors would take free
// slots among them; readEnviron's descriptor is closed again at once.
func newServer(prog string, c config) (*server, error) {
	env, err := readEnviron()
	if err != nil {
		return nil, err
	}
	n, err := listenerCount(env, syscall.Getpid())
	if err != nil {
		return nil, err
	}
	fds, err := openListeners(n)
	if err != nil {
		return nil, err
	}
	who, err := idsFrom(c, env)
	if err != nil {
		return nil, err
	}
	s := &server{
		cfg:       c,
		listeners: fds,
		live:      newLiveListeners(len(fds)),
		env:       env,
		path:      searchPath(env),
		kids:      newChildren(c.limit, c.perHost),
		log:       logger{prog: prog, verbose: c.verbose, quiet: c.quiet, limit: newLineLimit(), order: newLineOrder()},
		ids:       who,
	}
	if c.tcpserverLog {
		s.log.tcpserver = &tcpserverLines{localName: c.localName}
	}
	if c.remoteHost {
		s.names = newNamer(c.paranoid)
	}
	if c.rules != "" {
		s.rules = &rulesFile{path: c.rules, optional: c.rulesOptional}
	}
	return s, nil
}
