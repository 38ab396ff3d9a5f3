// Code generated from ../sockopt.go by make copies; DO NOT EDIT.

package main

import "syscall"

// sockOption is one integer socket option; label names it in messages.
type sockOption struct {
	label       string
	level, name int
	value       int
}

// setOption sets o on fd.
func setOption(fd int, o sockOption) error {
	return syscall.SetsockoptInt(fd, o.level, o.name, o.value)
}

// systemName names sys, a value of runtime.GOOS, in messages.
func systemName(sys string) string {
	switch sys {
	case "linux":
		return "Linux"
	case "freebsd":
		return "FreeBSD"
	case "netbsd":
		return "NetBSD"
	case "openbsd":
		return "OpenBSD"
	case "dragonfly":
		return "DragonFly BSD"
	case "darwin":
		return "macOS"
	}
	return sys
}
