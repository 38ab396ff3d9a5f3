//go:build linux

package testkit

import (
	"syscall"
	"testing"
)

// TestIPOptionsLen reads back the IP options set on a socket, and none.
func TestIPOptionsLen(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if n := ipOptionsLen(fd); n != 0 {
		t.Errorf("no options: %d bytes; want 0", n)
	}
	// Record Route with room for one address, padded to 8 bytes.
	if err := syscall.SetsockoptString(fd, syscall.IPPROTO_IP, syscall.IP_OPTIONS, "\x07\x07\x04\x00\x00\x00\x00\x00"); err != nil {
		t.Fatal(err)
	}
	if n := ipOptionsLen(fd); n != 8 {
		t.Errorf("Record Route: %d bytes; want 8", n)
	}
	if n := ipOptionsLen(-1); n != -1 {
		t.Errorf("a closed descriptor: %d; want -1", n)
	}
}
