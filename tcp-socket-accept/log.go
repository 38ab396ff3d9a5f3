package main

import (
	"strconv"
	"syscall"
	"time"
)

// logger writes the server's lines on descriptor 2: ERROR lines unless
// quiet (-q), as often as limit lets them, the C original's status lines
// with -v, in order. FATAL lines are fatal's, and always written.
type logger struct {
	prog      string
	verbose   bool
	quiet     bool
	tcpserver *tcpserverLines // -v's lines in tcpserver's words; nil: the C original's
	limit     *lineLimit      // nil: none
	order     *lineOrder      // for the -v lines
}

// serving is the line the server writes as it starts to serve: none in
// the C original's words, "status: 0/LIMIT" in tcpserver's.
func (l logger) serving(limit int) {
	if l.verbose && l.tcpserver != nil {
		writeStderr(l.tcpserver.status(0, limit))
	}
}

// error writes "PROG: ERROR: msg", the one line the server logs for a
// transient failure before it goes on; the same line no more than a few
// times a second (see lineLimit).
func (l logger) error(msg string) {
	l.errorFor(msg, msg)
}

// errorFor is error for a line that names one client: cause is the line
// without the client, which the limit counts by.
func (l logger) errorFor(cause, msg string) {
	if l.quiet {
		return
	}
	note, ok := l.limit.allow(cause, time.Now())
	if ok {
		writeStderr(l.prog + ": ERROR: " + msg + note + "\n")
	}
}

// started is "PID started N/LIMIT".
func (l logger) started(pid, n, limit int) {
	switch {
	case !l.verbose:
	case l.tcpserver != nil:
		writeStderr(l.tcpserver.status(n, limit))
	default:
		writeStderr(l.prog + ": " + strconv.Itoa(pid) + " started " + fraction(n, limit) + "\n")
	}
}

// connected is "PID LOCALIP LOCALPORT REMOTEIP REMOTEPORT".
func (l logger) connected(pid int, c connection) {
	switch {
	case !l.verbose:
	case l.tcpserver != nil:
		writeStderr(l.tcpserver.started(pid, c))
	default:
		writeStderr(l.prog + ": " + strconv.Itoa(pid) + " " + c.localIP + " " + c.localPort + " " + c.remoteIP + " " + c.remotePort + "\n")
	}
}

// ended is "PID ended status S code C N/LIMIT": S is 1 for an exit with
// code C, 2 for death by signal C, 3 for death by signal C with a core.
func (l logger) ended(pid int, ws syscall.WaitStatus, n, limit int) {
	if !l.verbose {
		return
	}
	if l.tcpserver != nil {
		writeStderr(l.tcpserver.ended(pid, ws) + l.tcpserver.status(n, limit))
		return
	}
	status, code := 1, ws.ExitStatus()
	if ws.Signaled() {
		status, code = 2, int(ws.Signal())
		if ws.CoreDump() {
			status = 3
		}
	}
	writeStderr(l.prog + ": " + strconv.Itoa(pid) + " ended status " + strconv.Itoa(status) + " code " + strconv.Itoa(code) + " " + fraction(n, limit) + "\n")
}

// refused is the line for a client turned away at its per-host limit.
func (l logger) refused(c connection, limit int) {
	switch {
	case !l.verbose:
	case l.tcpserver != nil:
		writeStderr(l.tcpserver.denied(c))
	default:
		writeStderr(l.prog + ": refused " + c.remoteIP + " " + c.remotePort + " per-host limit " + strconv.Itoa(limit) + "\n")
	}
}

// denied is the line for a client that the -x rule named by its key
// denies, in the rules file's own form: "refused IP PORT rule 127.:deny".
func (l logger) denied(c connection, rule string) {
	switch {
	case !l.verbose:
	case l.tcpserver != nil:
		writeStderr(l.tcpserver.denied(c))
	default:
		writeStderr(l.prog + ": refused " + c.remoteIP + " " + c.remotePort + " rule " + rule + ":deny\n")
	}
}

// dropped is the ERROR line for a client dropped because the -x file
// cannot be used, in tcpserver's words.
func (l logger) dropped(c connection, file string, err error) {
	l.dropping(c, "unable to read "+quote(file)+": "+err.Error())
}

// unforked is the ERROR line for a client dropped because the server
// could not fork for it (see serverShort), in tcpserver's words.
func (l logger) unforked(c connection, err error) {
	l.dropping(c, "unable to fork: "+err.Error())
}

// unbannered is the ERROR line for a client dropped because its -B
// banner could not be written at once, in tcpserver's words.
func (l logger) unbannered(c connection, err error) {
	l.dropping(c, "unable to print banner: "+err.Error())
}

// dropping is "ERROR: dropping connection from IP PORT, why", limited by
// its cause, the line without the client.
func (l logger) dropping(c connection, why string) {
	l.errorFor("dropping connection, "+why, "dropping connection from "+c.remoteIP+" "+c.remotePort+", "+why)
}

func fraction(n, limit int) string {
	return strconv.Itoa(n) + "/" + strconv.Itoa(limit)
}
