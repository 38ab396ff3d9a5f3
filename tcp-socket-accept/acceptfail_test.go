package main

import (
	"runtime"
	"syscall"
	"testing"
)

// TestAcceptFailureOnEverySystem: how each system's accept errors are
// classed. Errors are compared by name, so the host's numbers stand for
// every system's.
func TestAcceptFailureOnEverySystem(t *testing.T) {
	all := []string{"linux", "freebsd", "openbsd", "netbsd", "dragonfly", "darwin"}
	for _, c := range []struct {
		err     syscall.Errno
		systems []string
		want    failure
	}{
		{syscall.ECONNABORTED, []string{"linux"}, oneClient},
		{syscall.ECONNABORTED, []string{"freebsd", "openbsd", "netbsd", "dragonfly", "darwin"}, abortedOrShutDown},
		{syscall.EMFILE, all, shortOfResource},
		{syscall.ENFILE, all, shortOfResource},
		{syscall.ENOBUFS, all, shortOfResource},
		{syscall.ENOMEM, all, shortOfResource},
		{syscall.EPERM, []string{"darwin"}, oneClient},
		{syscall.EACCES, []string{"darwin"}, oneClient},
		{syscall.EPERM, []string{"freebsd", "openbsd", "netbsd", "dragonfly"}, listenerGone},
		{syscall.EINVAL, all, listenerGone},
		{syscall.EBADF, all, listenerGone},
		{syscall.ENOTSOCK, all, listenerGone},
	} {
		for _, sys := range c.systems {
			if got := acceptFailure(sys, c.err); got != c.want {
				t.Errorf("%s: %v classed %d; want %d", sys, c.err, got, c.want)
			}
		}
	}
	for sys, want := range map[string]bool{"linux": false, "freebsd": false, "darwin": false, "openbsd": true, "netbsd": true, "dragonfly": true} {
		if got := pollerMissesShutdown(sys); got != want {
			t.Errorf("pollerMissesShutdown(%q) = %v; want %v", sys, got, want)
		}
	}
	for sys, want := range map[string]bool{"linux": true, "freebsd": true, "openbsd": true, "netbsd": true, "darwin": false, "dragonfly": false} {
		if got := readsAcceptConn(sys); got != want {
			t.Errorf("readsAcceptConn(%q) = %v; want %v", sys, got, want)
		}
	}
}

// TestStillListens: a listener shut down as Linux shows it (SO_ACCEPTCONN
// off after SHUT_RD) no longer listens; SHUT_WR leaves a Linux listener
// listening; a descriptor whose address cannot be read is no listener.
func TestStillListens(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the shut-down listener is Linux's")
	}
	listen := func() int {
		fd, err := loopbackListener()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { syscall.Close(fd) })
		return fd
	}
	for _, c := range []struct {
		how  int // shutdown(2)'s, or -1 for none
		want bool
	}{{-1, true}, {syscall.SHUT_WR, true}, {syscall.SHUT_RD, false}, {syscall.SHUT_RDWR, false}} {
		fd := listen()
		if c.how >= 0 {
			syscall.Shutdown(fd, c.how)
		}
		if got := stillListens(fd); got != c.want {
			t.Errorf("shutdown %d: stillListens %v; want %v", c.how, got, c.want)
		}
	}
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	if stillListens(p[0]) {
		t.Error("a pipe taken for a listener")
	}

	// watchListeners' choice: the shut-down listener still served, not
	// the one already dropped, nor the one listening.
	ok, gone, dropped := listen(), listen(), listen()
	syscall.Shutdown(gone, syscall.SHUT_RD)
	syscall.Shutdown(dropped, syscall.SHUT_RD)
	ls := newLiveListeners(3)
	ls.drop(dropped)
	if got := ls.shutDown([]int{ok, gone, dropped}); len(got) != 1 || got[0] != gone {
		t.Errorf("shutDown lists %v; want [%d]", got, gone)
	}
}

// loopbackListener is a listening socket on 127.0.0.1, any port.
func loopbackListener() (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err == nil {
		err = syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	}
	if err == nil {
		err = syscall.Listen(fd, 5)
	}
	return fd, err
}
