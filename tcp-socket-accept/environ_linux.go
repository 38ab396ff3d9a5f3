// Code generated from ../environ_linux.go by make copies; DO NOT EDIT.

//go:build linux

package main

import (
	"errors"
	"strconv"
	"syscall"
	"unsafe"
)

// readEnviron is the environment exactly as the kernel was given it at exec,
// from /proc/self/environ: syscall.Environ drops every entry of a repeated
// name but the first and every empty entry, and in secure mode (setuid,
// setgid, file capabilities) adds GOTRACEBACK=none or overwrites the
// caller's value. The file is read with plain system calls, since reading
// through package os would start the runtime's poller (see fds.go).
// Without /proc, what the runtime gives has to do.
func readEnviron() ([]string, error) {
	b, err := readFile("/proc/self/environ")
	switch err {
	case nil:
		return splitEnviron(b), nil
	case syscall.ENOENT:
		return syscall.Environ(), nil
	case syscall.EACCES:
		// In secure mode the process is not dumpable, and its /proc files
		// belong to root. What the file would show lies in this process's
		// own memory, and /proc/self/stat, which anyone may read, says
		// where.
		return environInPlace()
	}
	return nil, errors.New("reading /proc/self/environ: " + err.Error())
}

// environInPlace reads the block of strings that the kernel copied onto
// the new stack at exec, from env_start to env_end (fields 50 and 51 of
// /proc/self/stat): the bytes that /proc/self/environ shows. Where the
// kernel does not show them, what the runtime gives has to do.
func environInPlace() ([]string, error) {
	stat, err := readFile("/proc/self/stat")
	if err != nil {
		return nil, errors.New("reading /proc/self/stat: " + err.Error())
	}
	start, end, ok := environBounds(string(stat))
	if !ok {
		return syscall.Environ(), nil
	}
	// The initial stack stays mapped for the life of the process, and
	// nothing writes there: the runtime's own strings point into it.
	// The address comes as a number: its bits read as a pointer (gccgo
	// takes unsafe.Add(nil, start) for nil).
	p := *(*unsafe.Pointer)(unsafe.Pointer(&start))
	block := unsafe.Slice((*byte)(p), end-start)
	return splitEnviron(block), nil
}

// environBounds finds env_start and env_end in the text of
// /proc/self/stat. The command name, the second field, is in parentheses
// and may hold spaces and parentheses of its own: the fields are counted
// from the last ')'.
func environBounds(stat string) (start, end uintptr, ok bool) {
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' {
			stat = stat[i+1:]
			break
		}
	}
	f := cFields(stat)
	const envStart = 50 - 3 // field 50 of the whole line
	if len(f) <= envStart+1 {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(f[envStart], 10, 0)
	e, err2 := strconv.ParseUint(f[envStart+1], 10, 0)
	if err1 != nil || err2 != nil || s == 0 || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}

// splitEnviron cuts a block of NUL-terminated strings into entries,
// keeping the empty ones.
func splitEnviron(b []byte) []string {
	var env []string
	start := 0
	for i, c := range b {
		if c == 0 {
			env = append(env, string(b[start:i]))
			start = i + 1
		}
	}
	if start < len(b) {
		env = append(env, string(b[start:]))
	}
	return env
}
