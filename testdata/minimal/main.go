// Command minimal makes the system calls that tcp-socket-listen makes for
// one listener, and nothing more: resolve, socket, setsockopt, bind,
// listen, dup3, exec. It is the floor that make bench measures
// tcp-socket-listen against. Usage: minimal host service /path/to/prog
package main

import (
	"net"
	"os"
	"syscall"
)

func main() {
	a, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))
	if err != nil {
		os.Exit(1)
	}
	family, sa := syscall.AF_INET, syscall.Sockaddr(nil)
	if ip4 := a.IP.To4(); ip4 != nil {
		sa = &syscall.SockaddrInet4{Port: a.Port, Addr: v4(ip4)}
	} else {
		family, sa = syscall.AF_INET6, &syscall.SockaddrInet6{Port: a.Port, Addr: v6(a.IP)}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		os.Exit(1)
	}
	if syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1) != nil ||
		syscall.Bind(fd, sa) != nil || syscall.Listen(fd, 5) != nil {
		os.Exit(1)
	}
	if fd != 3 {
		if syscall.Dup3(fd, 3, 0) != nil {
			os.Exit(1)
		}
	} else if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, 3, syscall.F_SETFD, 0); e != 0 {
		os.Exit(1)
	}
	syscall.Exec(os.Args[3], os.Args[3:], os.Environ())
	os.Exit(1)
}

// v4 and v6 are an address's bytes as the socket addresses hold them.
func v4(ip net.IP) (b [4]byte) {
	copy(b[:], ip.To4())
	return b
}

func v6(ip net.IP) (b [16]byte) {
	copy(b[:], ip.To16())
	return b
}
