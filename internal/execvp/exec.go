package execvp

import (
	"errors"
	"syscall"

	"tcp-socket-tools/internal/diag"
	"tcp-socket-tools/internal/environ"
)

// Exec replaces this process with name, found by Search in env's PATH,
// with argv and exactly env. It returns only on failure, with an error
// that names name.
func Exec(name string, argv, env []string) error {
	path, ok := environ.Get(env, "PATH")
	if !ok {
		path = DefaultPath
	}
	err := Search(name, path, func(file string) error {
		return syscall.Exec(file, argv, env)
	})
	return errors.New(diag.Quote(name) + ": " + err.Error())
}
