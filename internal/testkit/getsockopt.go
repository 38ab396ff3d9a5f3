//go:build linux && !386

package testkit

import (
	"syscall"
	"unsafe"
)

// getsockopt is getsockopt(2) with the length it returns, which package
// syscall does not give for an option of bytes.
func getsockopt(fd, level, name int, buf unsafe.Pointer, n *uint32) syscall.Errno {
	_, _, errno := syscall.Syscall6(syscall.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(name), uintptr(buf), uintptr(unsafe.Pointer(n)), 0)
	return errno
}
