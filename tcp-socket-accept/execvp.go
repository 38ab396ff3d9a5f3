// Code generated from ../execvp.go by make copies; DO NOT EDIT.

package main

import (
	"strings"
	"syscall"
)

// Finding a program as execvp(3) does, for a command that replaces itself
// with it and for one that starts it as a child alike.

// defaultPath is what the C library's execvp(3) on sys, a value of
// runtime.GOOS, searches when PATH is unset: glibc's on Linux (confstr's
// _CS_PATH), and elsewhere _PATH_DEFPATH from the system's <paths.h>, which
// its execvp takes (lib/libc/gen/exec.c, execvp.c on NetBSD).
func defaultPath(sys string) string {
	switch sys {
	case "freebsd":
		return "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"
	case "dragonfly":
		return "/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin:/usr/pkg/bin:/usr/pkg/sbin"
	case "netbsd":
		return "/usr/bin:/bin:/usr/pkg/bin:/usr/local/bin"
	case "openbsd":
		return "/usr/bin:/bin:/usr/sbin:/sbin:/usr/X11R6/bin:/usr/local/bin:/usr/local/sbin"
	case "darwin":
		return "/usr/bin:/bin"
	}
	return "/bin:/usr/bin"
}

// execvpSearch tries the files that execvp(3) would try for name, in its
// order, handing each to try, which runs it (syscall.Exec, or a fork and
// exec) and says how that went. A name with a slash is tried as it is;
// otherwise each element of path in turn, an empty one meaning the
// current directory (path is defaultPath's when PATH is unset). A missing
// file moves on; a permission error is reported only if no later element
// will do; any other error ends the search. Unlike glibc, a file the
// kernel cannot run is not handed to /bin/sh.
func execvpSearch(name, path string, try func(file string) error) error {
	if name == "" {
		return syscall.ENOENT
	}
	if strings.Contains(name, "/") {
		return try(name)
	}
	var denied bool
	var err error
	for {
		dir, rest, more := strings.Cut(path, ":")
		file := name
		if dir != "" {
			file = dir + "/" + name
		}
		err = try(file)
		switch err {
		case nil:
			return nil
		case syscall.EACCES:
			denied = true
		case syscall.ENOENT, syscall.ENOTDIR, syscall.ESTALE, syscall.ENODEV, syscall.ETIMEDOUT:
		default:
			return err
		}
		if !more {
			break
		}
		path = rest
	}
	if denied {
		return syscall.EACCES
	}
	return err
}
