package main

import "syscall"

// acceptCloexec accepts a connection on l, close-on-exec, where there is
// no accept4: under ForkLock, so that no fork in between passes it on.
// Unlike Linux, macOS gives the connection the listener's O_NONBLOCK, so
// it is made blocking for the child.
func acceptCloexec(l int) (int, syscall.Sockaddr, error) {
	syscall.ForkLock.RLock()
	fd, sa, err := syscall.Accept(l)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err == nil {
		if err = syscall.SetNonblock(fd, false); err != nil {
			syscall.Close(fd)
		}
	}
	return fd, sa, err
}

// socketCloexec is a new socket of family and typ for the DNS client,
// close-on-exec, under ForkLock, where there is no SOCK_CLOEXEC, then
// non-blocking. A fork that hangs holds ForkLock, and with it this.
func socketCloexec(family, typ int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(family, typ, 0)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err == nil {
		if err = syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
		}
	}
	return fd, err
}
