//go:build linux || freebsd || netbsd || openbsd || dragonfly

package main

import "syscall"

// acceptCloexec accepts a connection on l, close-on-exec: it reaches its
// own child as 0 and 1, and no other. The listener's O_NONBLOCK is not
// inherited: the child gets the connection blocking, as accept(2) makes
// it.
func acceptCloexec(l int) (int, syscall.Sockaddr, error) {
	return syscall.Accept4(l, syscall.SOCK_CLOEXEC)
}
