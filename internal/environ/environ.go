// Package environ handles the environment as an exact list of entries,
// as the kernel passes it at exec: repeated names, empty entries and
// entries without '=' are kept where they stand, which os.Environ and
// syscall.Environ do not promise.
package environ

// Get finds name's first entry, which is the one getenv(3) would find.
func Get(env []string, name string) (string, bool) {
	for _, kv := range env {
		if isEntry(kv, name) {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// Set gives every entry of name the value, where each stands, or adds
// one at the end. Of repeated entries, getenv(3), Go and Python read the
// first, but sh and bash the last: changing them all leaves no stale value
// for either to find.
func Set(env []string, name, value string) []string {
	found := false
	for i, kv := range env {
		if isEntry(kv, name) {
			env[i] = name + "=" + value
			found = true
		}
	}
	if !found {
		env = append(env, name+"="+value)
	}
	return env
}

// Unset removes every entry of each of names, for the same reason Set
// changes them all; every other entry stays, in order.
func Unset(env []string, names ...string) []string {
	kept := env[:0]
	for _, kv := range env {
		if !isEntryOfAny(kv, names) {
			kept = append(kept, kv)
		}
	}
	return kept
}

func isEntryOfAny(kv string, names []string) bool {
	for _, name := range names {
		if isEntry(kv, name) {
			return true
		}
	}
	return false
}

// isEntry tells whether kv is an entry for name: "name=" and its value.
func isEntry(kv, name string) bool {
	return len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name
}
