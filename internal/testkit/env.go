//go:build linux

package testkit

import "strings"

// WithoutProbeVars is env without the tests' own PROBE_ variables.
func WithoutProbeVars(env []string) []string {
	var kept []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PROBE_") {
			kept = append(kept, kv)
		}
	}
	return kept
}

// GetenvIn is name's value in env, read apart from the commands' getenv.
func GetenvIn(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// AsOwnPid runs argv with LISTEN_PID set to the pid it will run as.
func AsOwnPid(argv ...string) []string {
	return append([]string{"/bin/sh", "-c", `LISTEN_PID=$$; export LISTEN_PID; exec "$@"`, "sh"}, argv...)
}
