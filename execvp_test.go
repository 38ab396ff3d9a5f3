package main

import (
	"reflect"
	"syscall"
	"testing"
)

// TestSearchOrder drives execvpSearch with a table of what each file gives and
// checks which files it tried and what it reports.
func TestSearchOrder(t *testing.T) {
	cases := []struct {
		name, path string
		results    map[string]error // file -> its result; absent is ENOENT
		tried      []string
		want       error
	}{
		{"prog", "/a:/b", map[string]error{"/b/prog": nil}, []string{"/a/prog", "/b/prog"}, nil},
		{"prog", ":/b", map[string]error{"prog": nil}, []string{"prog"}, nil},
		{"prog", "/a::/b", map[string]error{}, []string{"/a/prog", "prog", "/b/prog"}, syscall.ENOENT},
		{"prog", "/a:/b", map[string]error{"/a/prog": syscall.EACCES}, []string{"/a/prog", "/b/prog"}, syscall.EACCES},
		{"prog", "/a:/b", map[string]error{"/a/prog": syscall.EACCES, "/b/prog": nil}, []string{"/a/prog", "/b/prog"}, nil},
		{"prog", "/a:/b", map[string]error{"/a/prog": syscall.ENOTDIR}, []string{"/a/prog", "/b/prog"}, syscall.ENOENT},
		{"prog", "/a:/b", map[string]error{"/a/prog": syscall.ENOEXEC}, []string{"/a/prog"}, syscall.ENOEXEC},
		{"./prog", "/a", map[string]error{}, []string{"./prog"}, syscall.ENOENT},
		{"", "/a", map[string]error{}, nil, syscall.ENOENT},
		{"prog", ":/a::", map[string]error{}, []string{"prog", "/a/prog", "prog", "prog"}, syscall.ENOENT},
		{"prog", "", map[string]error{}, []string{"prog"}, syscall.ENOENT},
		{"prog", defaultPath("linux"), map[string]error{}, []string{"/bin/prog", "/usr/bin/prog"}, syscall.ENOENT},
		{"/x/prog", "/a", map[string]error{}, []string{"/x/prog"}, syscall.ENOENT},
	}
	for _, c := range cases {
		var tried []string
		err := execvpSearch(c.name, c.path, func(file string) error {
			tried = append(tried, file)
			if e, ok := c.results[file]; ok {
				return e
			}
			return syscall.ENOENT
		})
		if err != c.want || !reflect.DeepEqual(tried, c.tried) {
			t.Errorf("%q in %q: tried %q, got %v; want %q, %v", c.name, c.path, tried, err, c.tried, c.want)
		}
	}
}

// TestDefaultPathOnEverySystem: each C library's search path when PATH
// is unset, as its <paths.h> (glibc: confstr's _CS_PATH) gives it.
func TestDefaultPathOnEverySystem(t *testing.T) {
	for sys, want := range map[string]string{
		"linux":     "/bin:/usr/bin",
		"freebsd":   "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin",
		"dragonfly": "/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin:/usr/local/sbin:/usr/pkg/bin:/usr/pkg/sbin",
		"netbsd":    "/usr/bin:/bin:/usr/pkg/bin:/usr/local/bin",
		"openbsd":   "/usr/bin:/bin:/usr/sbin:/sbin:/usr/X11R6/bin:/usr/local/bin:/usr/local/sbin",
		"darwin":    "/usr/bin:/bin",
	} {
		if got := defaultPath(sys); got != want {
			t.Errorf("%s: %q; want %q", sys, got, want)
		}
	}
}
