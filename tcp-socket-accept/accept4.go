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

// socketCloexec is a new socket of family and typ for the DNS client,
// close-on-exec and non-blocking from the start.
func socketCloexec(family, typ int) (int, error) {
	return syscall.Socket(family, typ|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, 0)
}
