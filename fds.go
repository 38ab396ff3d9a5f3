package main

import "syscall"

// Descriptors are handled through plain system calls: package os would
// start the runtime's poller on its first file, and the poller takes
// descriptors of its own, on the lowest free numbers, where the commands
// place or find their sockets.

// readFile reads all of path. It costs only the one descriptor it reads
// through, closed on exec and before it returns.
func readFile(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	b := make([]byte, 0, 4096)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := syscall.Read(fd, b[len(b):cap(b)])
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return nil, err
		case n == 0:
			return b, nil
		default:
			b = b[:len(b)+n]
		}
	}
}
