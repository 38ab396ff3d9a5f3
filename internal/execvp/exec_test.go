package execvp

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExecErrors checks what Exec says when nothing can run: the name,
// quoted where it must be, and the search's error. (A run that works
// replaces the test binary; the commands' tests cover that.)
func TestExecErrors(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	if err := os.WriteFile(noexec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  []string
		want string
	}{
		{"no-such-prog", []string{"PATH=" + dir}, "no-such-prog: no such file or directory"},
		{"noexec", []string{"PATH=/nonexistent:" + dir}, "noexec: permission denied"},
		{"", []string{"PATH=" + dir}, `"": no such file or directory`},
		{"two words", []string{"PATH=" + dir}, `"two words": no such file or directory`},
		{noexec, nil, noexec + ": permission denied"},
	} {
		if err := Exec(c.name, []string{c.name}, c.env); err == nil || err.Error() != c.want {
			t.Errorf("Exec(%q) with %q: %v; want %s", c.name, c.env, err, c.want)
		}
	}
}
