package main

import (
	"errors"
	"runtime"
	"syscall"
)

// execNext replaces this process with next-prog, name, found as
// execvp(3) finds it in env's PATH, with argv and exactly env. It returns
// only on failure, with an error that names name.
func execNext(name string, argv, env []string) error {
	path, ok := getenv(env, "PATH")
	if !ok {
		path = defaultPath(runtime.GOOS)
	}
	err := execvpSearch(name, path, func(file string) error {
		return syscall.Exec(file, argv, env)
	})
	return errors.New(quote(name) + ": " + err.Error())
}
