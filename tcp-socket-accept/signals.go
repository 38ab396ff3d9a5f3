package main

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// Signals that stop or continue a process: the runtime leaves them as it
// found them, so one ignored when the server started would stay ignored
// in every child.
var stopSignals = []syscall.Signal{syscall.SIGCONT, syscall.SIGTSTP, syscall.SIGTTIN, syscall.SIGTTOU}

// Signals whose default action ends the C servers (tcpserver,
// s6-tcpserverd), and which a supervisor sends (svc -a, -1, -2); the Go
// runtime would catch them and go on.
var endSignals = []syscall.Signal{syscall.SIGALRM, syscall.SIGUSR1, syscall.SIGUSR2}

// catchSignals makes the server's signal handling its own, after
// s6-tcpserverd: SIGTERM and SIGINT end the server and leave the children
// running; SIGALRM, SIGUSR1 and SIGUSR2 do too, the server dying of them
// as their default action kills the C servers (even of one ignored when
// the server started, which a C server would go on ignoring: the Go
// runtime has caught it before main, and keeps no record of that); SIGHUP
// sends every child SIGTERM then SIGCONT and goes on;
// SIGQUIT does the same then ends the server; SIGABRT kills every child
// then ends the server. SIGPIPE is caught, not ignored: a broken stderr
// must not kill the server, and an ignored SIGPIPE would be inherited by
// every child. Signals ignored at start are caught and dropped, for the
// same reason: a caught signal is at its default in a child.
//
// The others are handled one at a time, and none waits for a line to be
// written (see children): a standard error that blocks cannot hold one
// up, nor a later one behind it. Before it exits on SIGQUIT or SIGABRT,
// the server lets no child start, and waits for the forks in progress,
// so that every child gets the signal.
func (s *server) catchSignals(ignoredAtStart []syscall.Signal) {
	// SIGTERM and SIGINT apart, so that they end the server at once even
	// while SIGHUP, SIGQUIT or SIGABRT waits for a fork that hangs (an
	// exec on a dead NFS mount, say).
	end := notify(syscall.SIGTERM, syscall.SIGINT)
	die := notify(endSignals...)
	go func() {
		select {
		case <-end:
			os.Exit(0)
		case sig := <-die:
			dieOf(sig.(syscall.Signal))
		}
	}()
	// A channel for each signal that acts, with room for one: os/signal
	// drops a signal whose channel is full, so that a burst of SIGHUPs on
	// a channel shared with SIGQUIT would lose the SIGQUIT. One of a kind
	// pending stands for any number of it, as in the kernel.
	hup, quit, abrt := notify(syscall.SIGHUP), notify(syscall.SIGQUIT), notify(syscall.SIGABRT)
	// Caught only to be dropped: a channel never read.
	notify(append(ignoredAtStart, syscall.SIGPIPE)...)
	go func() {
		for {
			select {
			case <-hup:
				s.kids.signalAll(syscall.SIGTERM, syscall.SIGCONT)
			case <-quit:
				s.kids.signalLast(syscall.SIGTERM, syscall.SIGCONT)
				os.Exit(0)
			case <-abrt:
				s.kids.signalLast(syscall.SIGKILL)
				os.Exit(0)
			}
		}
	}()
}

// notify is a channel, with room for one, on which sigs are delivered.
func notify(sigs ...syscall.Signal) chan os.Signal {
	ch := make(chan os.Signal, 1)
	for _, sig := range sigs {
		signal.Notify(ch, sig)
	}
	return ch
}

// ignoredStopSignals lists those of stopSignals ignored when the server
// started, as the kernel shows them in /proc/self/status.
func ignoredStopSignals() []syscall.Signal {
	data, err := readFile("/proc/self/status")
	if err != nil {
		return nil
	}
	var ignored []syscall.Signal
	for _, line := range strings.Split(string(data), "\n") {
		const field = "SigIgn:\t"
		if !strings.HasPrefix(line, field) {
			continue
		}
		mask := line[len(field):]
		m, err := strconv.ParseUint(mask, 16, 64)
		if err != nil {
			return nil
		}
		for _, sig := range stopSignals {
			if m&(1<<(sig-1)) != 0 {
				ignored = append(ignored, sig)
			}
		}
	}
	return ignored
}
