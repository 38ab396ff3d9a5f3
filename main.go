// The runtime's cgroup-aware GOMAXPROCS keeps cgroup files open for the
// life of the process, on the lowest free descriptors, which are where
// listening sockets go; these settings make it close them before main runs.

//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0

// Names resolve the same in every build: with Go's own resolver, even in
// a build with cgo, which would otherwise hand some lookups to the C
// library and its NSS modules.

//go:debug netdns=go

// Command tcp-socket-listen opens a TCP socket bound to a host and service,
// listens on it, puts it on descriptor 3+n, and chain-loads the next
// program, as the nosh toolset's tool of the same name does.
package main

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

const firstListenFD = 3 // SD_LISTEN_FDS_START

func main() {
	var args []string
	if len(os.Args) > 1 {
		args = os.Args[1:]
	}
	c, req, err := parseArgs(args)
	switch {
	case err != nil:
		fatal(err)
	case req == help:
		os.Stdout.WriteString(usageLine(progName()) + optionList)
		return
	case req == usage:
		os.Stdout.WriteString(usageLine(progName()))
		return
	}
	env, err := environ()
	if err != nil {
		fatal(err)
	}
	pid := syscall.Getpid()
	n := 0
	if c.systemd {
		if n, err = listenFDs(env, pid); err != nil {
			fatal(err)
		}
	}
	target := firstListenFD + n
	if err := reserve(target, env); err != nil {
		fatal(err)
	}
	a, err := resolve(c)
	if err != nil {
		fatal(err)
	}
	fd, err := listenOn(a, c)
	if err != nil {
		fatal(err)
	}
	if err := place(fd, target); err != nil {
		fatal(err)
	}
	env = exportEnv(env, c, n, pid)
	fatal(execvp(c.next[0], c.next, env))
}

// sockopt is one integer socket option.
type sockopt struct {
	label       string
	level, name int
	value       int
}

// listenOn opens a socket for a, sets the options c asks for, binds and
// listens. The socket is close-on-exec until it is placed.
func listenOn(a address, c config) (int, error) {
	opts, err := socketOptions(a, c)
	if err != nil {
		return -1, err
	}
	fd, err := openSocket(a.family())
	if err != nil {
		return -1, stepError("socket for", a, err)
	}
	for _, o := range opts {
		if err := syscall.SetsockoptInt(fd, o.level, o.name, o.value); err != nil {
			return -1, stepError("setsockopt "+o.label+" on", a, err)
		}
	}
	if err := syscall.Bind(fd, a.sockaddr()); err != nil {
		return -1, stepError("bind", a, err)
	}
	if err := syscall.Listen(fd, c.backlog); err != nil {
		return -1, stepError("listen", a, err)
	}
	return fd, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func stepError(step string, a address, err error) error {
	return errors.New(step + " " + a.String() + ": " + err.Error())
}

// reserve makes descriptor target ours before anything else can take it:
// resolving a name starts the runtime's poller, whose descriptors take
// the lowest free numbers. An inherited target is left to be replaced; a
// free one gets a close-on-exec placeholder. env is what a restart
// passes on.
func reserve(target int, env []string) error {
	flags, err := fdFlags(target)
	switch {
	case err == syscall.EBADF:
		err = dupOnto(syscall.Stderr, target, true)
	case err == nil && flags&syscall.FD_CLOEXEC != 0:
		// Descriptors survive exec only without FD_CLOEXEC, so this one
		// was opened in this process, by the runtime before main: its
		// poller, when standard input or output was non-blocking, or a
		// cgroup file it failed to close.
		return restartHolding(target, env)
	}
	if err != nil {
		return placeError(target, err)
	}
	return nil
}

// restartHolding execs this program afresh, same pid, arguments and
// environment, env, with the runtime's descriptor on target kept open
// across the exec: the new runtime cannot take target, which is then
// inherited and replaced like any other. It returns only on failure.
func restartHolding(target int, env []string) error {
	held := "descriptor " + strconv.Itoa(target) + " is in use by the Go runtime"
	self, err := executable()
	if err != nil || keepOnExec(target) != nil {
		return errors.New(held)
	}
	if err := restartRoom(); err != nil {
		return errors.New(held + ", and " + err.Error())
	}
	syscall.Exec(self, os.Args, env)
	return errors.New(held)
}

// place puts the listening socket on target, replacing what is there in
// one step, and leaves it open across exec.
func place(fd, target int) error {
	if err := dupOnto(fd, target, false); err != nil {
		return placeError(target, err)
	}
	if err := syscall.Close(fd); err != nil {
		return placeError(target, err)
	}
	return nil
}

func placeError(target int, err error) error {
	return errors.New("placing socket on descriptor " + strconv.Itoa(target) + ": " + err.Error())
}

func fatal(err error) {
	os.Stderr.WriteString(progName() + ": FATAL: " + err.Error() + "\n")
	os.Exit(1)
}

// progName is the base name of argv[0], as the C original names itself
// in messages and in its usage line; quoted, since the caller chooses it.
func progName() string {
	if len(os.Args) == 0 || os.Args[0] == "" {
		return "tcp-socket-listen"
	}
	name := os.Args[0]
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			return quoted(name[i+1:])
		}
	}
	return quoted(name)
}
