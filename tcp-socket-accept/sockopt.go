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
