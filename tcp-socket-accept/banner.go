package main

import (
	"errors"
	"strconv"
	"syscall"
)

// bannerMax is the longest -B banner: what a new connection's send
// buffer takes at once, so that the banner is written without waiting on
// a client that does not read. Linux's least send buffer (SO_SNDBUF's
// floor, about 4.5 KB) took 4032 bytes at once (TestBannerAtLeastBuffer);
// this leaves room for kernels that account for more per packet. Every
// system's default is 16 KB or more.
const bannerMax = 2048

// setBanner takes -B's banner, as tcpserver takes it: the bytes as given,
// no escapes read.
func (c *config) setBanner(s string) error {
	if len(s) > bannerMax {
		return errors.New(strconv.Itoa(len(s)) + " bytes; at most " + strconv.Itoa(bannerMax) + ", which any new connection can take at once")
	}
	c.banner = s
	return nil
}

// sendBanner writes banner on the connection fd before its program
// starts, without waiting: tcpserver's child writes it, where here the
// server does, and a client that does not read must not hold it up. A
// banner that does not go at once (a connection already closed, say) is
// an error, and the connection is not served.
func sendBanner(fd int, banner string) error {
	for b := []byte(banner); len(b) > 0; {
		n, err := syscall.SendmsgN(fd, b, nil, nil, syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return errors.New("the connection takes no more without waiting")
		case err != nil:
			return err
		}
		b = b[n:]
	}
	return nil
}
