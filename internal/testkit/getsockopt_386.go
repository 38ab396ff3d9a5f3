//go:build linux && 386

package testkit

import (
	"syscall"
	"unsafe"
)

// sysGetsockopt is socketcall(2)'s number for getsockopt: linux/386 has
// no system call of its own for it in package syscall.
const sysGetsockopt = 15

// getsockopt is getsockopt(2) with the length it returns, through
// socketcall(2).
func getsockopt(fd, level, name int, buf unsafe.Pointer, n *uint32) syscall.Errno {
	args := [5]uintptr{uintptr(fd), uintptr(level), uintptr(name), uintptr(buf), uintptr(unsafe.Pointer(n))}
	_, _, errno := syscall.Syscall(syscall.SYS_SOCKETCALL, sysGetsockopt, uintptr(unsafe.Pointer(&args)), 0)
	return errno
}
