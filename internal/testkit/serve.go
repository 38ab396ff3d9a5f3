//go:build linux

package testkit

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// reachThrough3 connects to host at the port of the socket on descriptor
// 3, and tells whether that socket accepted the connection.
func reachThrough3(host string, fd FDReport) bool {
	if fd.Socket == nil {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(host, strconv.Itoa(int(fd.Socket.Addr.Port()))), 5*time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	nfd, _, err := syscall.Accept(3)
	if err != nil {
		return false
	}
	defer syscall.Close(nfd)
	if _, err := c.Write([]byte("x")); err != nil {
		return false
	}
	var b [1]byte
	n, err := syscall.Read(nfd, b[:])
	return err == nil && n == 1 && b[0] == 'x'
}

// serveThrough3 waits for the file named start, then accepts count
// connections on descriptor 3 and answers each line with "ok " and the line.
func serveThrough3(count, start string) int {
	n, _ := strconv.Atoi(count)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(start); err == nil || time.Now().After(deadline) {
			break
		}
	}
	served := 0
	for ; served < n; served++ {
		fd, _, err := syscall.Accept(3)
		if err != nil {
			break
		}
		f := os.NewFile(uintptr(fd), "conn")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			break
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil {
			_, err = io.WriteString(c, "ok "+line)
		}
		c.Close()
		if err != nil {
			break
		}
	}
	return served
}
