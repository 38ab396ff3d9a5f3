package main

import (
	"reflect"
	"testing"
)

// TestConnEnvLeavesServerEnv: every connection's environment is made
// from the server's, which the edits for one connection must not change.
func TestConnEnvLeavesServerEnv(t *testing.T) {
	server := []string{"PROTO=UDP", "A=1", "TCPLOCALHOST=old", "PROTO=UDP2", "LISTEN_FDS=1"}
	orig := append([]string(nil), server...)
	conn := connection{localIP: "127.0.0.1", localPort: "7", remoteIP: "127.0.0.2", remotePort: "4000"}
	got := connEnv(server, config{perHost: 2}, conn, 1, nil)
	want := []string{"PROTO=TCP", "A=1", "PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=7", "TCPREMOTEIP=127.0.0.2", "TCPREMOTEPORT=4000", "TCPCONNNUM=1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("connEnv\n got %q\nwant %q", got, want)
	}
	if !reflect.DeepEqual(server, orig) {
		t.Errorf("the server's environment became %q; was %q", server, orig)
	}
}

// TestConnEnvRuleVars: a rule's variables are set after the UCSPI ones,
// each entry of the name replaced where it stands, or added at the end:
// a rule may set TCPLOCALHOST, over -l, and even a variable the server
// removes; a name set twice keeps its second value.
func TestConnEnvRuleVars(t *testing.T) {
	server := []string{"RELAYCLIENT=old", "A=1", "RELAYCLIENT=older", "TCPREMOTEHOST=stale"}
	conn := connection{localIP: "127.0.0.1", localPort: "25", remoteIP: "127.0.0.2", remotePort: "4000"}
	rule := []ruleVar{{"TCPLOCALHOST", "movie.edu"}, {"RELAYCLIENT", ""}, {"TCPREMOTEHOST", "rule"}, {"X", "a b"}, {"X", "c"}}
	got := connEnv(server, config{localName: "-l", hasLocalName: true}, conn, 0, rule)
	want := []string{"RELAYCLIENT=", "A=1", "RELAYCLIENT=", "PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=25",
		"TCPREMOTEIP=127.0.0.2", "TCPREMOTEPORT=4000", "TCPLOCALHOST=movie.edu", "TCPREMOTEHOST=rule", "X=c"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("connEnv\n got %q\nwant %q", got, want)
	}
}

func TestUnset(t *testing.T) {
	got := unsetenv([]string{"", "DUP=1", "NOEQUALS", "DUP=2", "EMPTY=", "=nameless", "DUPLICATE=3", "DUP"}, "DUP", "EMPTY", "MISSING")
	want := []string{"", "NOEQUALS", "=nameless", "DUPLICATE=3", "DUP"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("unsetenv:\n%q\nwant\n%q", got, want)
	}
	if got := unsetenv(nil, "X"); len(got) != 0 {
		t.Errorf("unsetenv of nothing: %q", got)
	}
}
