package main

import (
	"errors"
	"syscall"
)

// defaultPath is what execvp(3) searches when PATH is unset.
const defaultPath = "/bin:/usr/bin"

// execvp replaces this process with name, found as execvp(3) finds it: a
// name with a slash is used as it is; otherwise each element of env's
// PATH is tried in turn, an empty one meaning the current directory. A
// permission error is reported only if no later element will do, a
// missing file moves on, and any other error ends the search. Unlike
// glibc, a file the kernel cannot run is not handed to /bin/sh.
func execvp(name string, argv, env []string) error {
	err := execSearch(name, argv, env)
	return errors.New(quoted(name) + ": " + err.Error())
}

func execSearch(name string, argv, env []string) error {
	if name == "" {
		return syscall.ENOENT
	}
	if hasSlash(name) {
		return syscall.Exec(name, argv, env)
	}
	path, ok := getenv(env, "PATH")
	if !ok {
		path = defaultPath
	}
	var denied bool
	var err error
	for {
		dir, rest, more := cut(path, ':')
		file := name
		if dir != "" {
			file = dir + "/" + name
		}
		err = syscall.Exec(file, argv, env)
		switch err {
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

func hasSlash(s string) bool {
	_, _, found := cut(s, '/')
	return found
}

// cut slices s around the first sep.
func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
