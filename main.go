// Command tcp-socket-listen opens a TCP socket bound to a host and service,
// listens on it, puts it on descriptor 3+n, and chain-loads the next
// program, as the nosh toolset's tool of the same name does.
package main

import (
	"os"
	"syscall"
)

func main() {
	noMemProfile()
	openStandardFDs()
	caller := raiseOpenFiles()
	prog, args := splitArgv(os.Args, "tcp-socket-listen")
	c, req, err := parseArgs(args)
	c.grammar().settle(prog, req, err)
	env, err := readEnviron()
	if err != nil {
		fatal(prog, err)
	}
	pid := syscall.Getpid()
	n := 0
	if c.systemd {
		if n, err = listenFDs(env, pid); err != nil {
			fatal(prog, err)
		}
	}
	target := firstListenFD + n
	if err := reserve(target, env, caller); err != nil {
		fatal(prog, err)
	}
	a, err := resolve(c)
	if err != nil {
		fatal(prog, err)
	}
	fd, err := listenOn(a, c)
	if err != nil {
		fatal(prog, err)
	}
	if err := place(fd, target); err != nil {
		fatal(prog, err)
	}
	if c.printPort {
		if err := printPort(target); err != nil {
			fatal(prog, err)
		}
	}
	env = exportEnv(env, c, n, pid)
	restoreOpenFiles(caller)
	fatal(prog, execNext(c.next[0], c.next, env))
}
