// Code generated from ../environ.go by make copies; DO NOT EDIT.

package main

// The environment as an exact list of entries, as the kernel passes it at
// exec: repeated names, empty entries and entries without '=' are kept
// where they stand, which os.Environ and syscall.Environ do not promise.

// firstListenFD is where passed listening descriptors start
// (SD_LISTEN_FDS_START).
const firstListenFD = 3

// getenv finds name's first entry, which is the one getenv(3) would find.
func getenv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if isEntry(kv, name) {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// setenv gives every entry of name the value, where each stands, or adds
// one at the end. Of repeated entries, getenv(3), Go and Python read the
// first, but sh and bash the last: changing them all leaves no stale value
// for either to find.
func setenv(env []string, name, value string) []string {
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

// isEntry tells whether kv is an entry for name: "name=" and its value.
func isEntry(kv, name string) bool {
	return len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name
}

// passedToMe tells whether the LISTEN_* variables in env are meant for
// this process, pid: whether LISTEN_PID, read as strtoul reads it, is pid.
// Whoever passed them on may have meant them for a parent.
func passedToMe(env []string, pid int) bool {
	lp, ok := envNumber(env, "LISTEN_PID")
	return ok && lp == uint64(pid)
}

// envNumber reads name's value as a whole unsigned number, as strtoul(3)
// reads it; a minus sign, junk or a value past 64 bits is no number.
func envNumber(env []string, name string) (uint64, bool) {
	s, ok := getenv(env, name)
	if !ok {
		return 0, false
	}
	v, neg, err := strtoul(s)
	return v, err == nil && !neg
}
