package main

import (
	"errors"
	"math"
	"runtime"
	"strconv"
	"syscall"
)

// listenerCount is how many descriptors from 3 on to serve: LISTEN_FDS
// when LISTEN_PID is this process, else descriptor 3 alone (what
// tcp-socket-listen without --systemd-compatibility gives, and inetd). A
// passed count of zero is a mistake, not a request to serve nothing.
func listenerCount(env []string, pid int) (int, error) {
	// Not tcp-socket-listen's listenFDs (../env.go): that refuses a
	// negative or huge count, and reads zero as none passed; here both
	// serve descriptor 3 alone, and zero is a mistake.
	if !passedToMe(env, pid) {
		return 1, nil
	}
	lf, ok := envNumber(env, "LISTEN_FDS")
	switch {
	case !ok || lf > math.MaxInt32-firstListenFD:
		return 1, nil
	case lf == 0:
		return 0, errors.New("LISTEN_FDS is 0: no listening socket passed")
	}
	return int(lf), nil
}

// openListeners checks descriptors 3 .. 3+n-1 and readies each to be
// served: close-on-exec, so that no child inherits it, and non-blocking,
// so that a connection another process took first cannot stall the loop.
func openListeners(n int) ([]int, error) {
	var served []int
	for fd := firstListenFD; fd < firstListenFD+n; fd++ {
		if err := checkListener(fd); err != nil {
			msg := "descriptor " + strconv.Itoa(fd) + ": " + err.Error()
			if err == errNotOpen && fd == firstListenFD {
				// What a newcomer who runs the server alone meets.
				msg += " (run tcp-socket-accept after tcp-socket-listen, which puts a listening socket there, or with LISTEN_FDS and LISTEN_PID)"
			}
			return nil, errors.New(msg)
		}
		if err := readyListener(fd); err != nil {
			return nil, errors.New("descriptor " + strconv.Itoa(fd) + ": " + err.Error())
		}
		served = append(served, fd)
	}
	return served, nil
}

var errNotOpen = errors.New("not open")

// checkListener says what, if anything, keeps fd from being a listening
// TCP socket.
func checkListener(fd int) error {
	flags, err := fdFlags(fd)
	if err == syscall.EBADF || err == nil && flags&syscall.FD_CLOEXEC != 0 {
		// An inherited descriptor never has FD_CLOEXEC, for exec would
		// have closed it: this one the runtime opened in a free slot.
		return errNotOpen
	}
	if err != nil {
		return errors.New("fcntl F_GETFD: " + err.Error())
	}
	typ, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TYPE)
	switch {
	case err == syscall.ENOTSOCK:
		return errors.New("not a socket")
	case err != nil:
		return errors.New("getsockopt SO_TYPE: " + err.Error())
	case typ != syscall.SOCK_STREAM:
		return errors.New("not a stream socket")
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return errors.New("getsockname: " + err.Error())
	}
	switch sa.(type) {
	case *syscall.SockaddrInet4, *syscall.SockaddrInet6:
	default:
		return errors.New("not a TCP socket")
	}
	if !readsAcceptConn(runtime.GOOS) {
		// A socket that does not listen fails its first accept, with
		// EINVAL, which ends the serving of it (acceptFailure).
		return nil
	}
	listening, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ACCEPTCONN)
	if err != nil {
		return errors.New("getsockopt SO_ACCEPTCONN: " + err.Error())
	}
	if listening == 0 {
		return errors.New("socket is not listening")
	}
	return nil
}

// readsAcceptConn tells whether sys answers getsockopt SO_ACCEPTCONN:
// macOS (sogetoptlock) and DragonFly (sogetopt) have no such case, and
// say ENOPROTOOPT for every socket.
func readsAcceptConn(sys string) bool {
	return sys != "darwin" && sys != "dragonfly"
}

func readyListener(fd int) error {
	if err := closeOnExec(fd); err != nil {
		return errors.New("fcntl F_SETFD: " + err.Error())
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		return errors.New("fcntl F_SETFL O_NONBLOCK: " + err.Error())
	}
	return nil
}
