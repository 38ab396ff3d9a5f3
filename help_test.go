package main

import (
	"testing"
)

// What --usage and --help print, byte for byte as before the option
// table moved out of the command (now cmdline.go and help.go), and -1,
// tcpserver's, beyond the C original's options.
const (
	wantUsage = "Usage: tcp-socket-listen [OPTION...] {host} {service} {next-prog...}\n"
	wantHelp  = wantUsage + `Options:
      --no-reuse-address       Disallow rapid re-use of a local IP address and port.
      --reuse-port             Allow multiple listening sockets to share a single local IP address and port.
      --bind-to-any            Allow binding to any IP address even if it is not on any network interface.
  -H, --numeric-host           Assume that the host is an IP address.
      --numeric-service        Assume that the service is a port number.
      --check-interfaces       Disallow IPv4 or IPv6 if no interface supports them.
      --combine4and6           Allow IPv6 sockets to talk IPv4 to mapped addresses.
      --upstart-compatibility  Set $UPSTART_FDS and $UPSTART_EVENTS for compatibility with upstart.
      --systemd-compatibility  Set $LISTEN_FDS and $LISTEN_PID for compatibility with systemd.
  -b, --backlog number         Specify the listening backlog (default 5).
  -1, --print-port             Print the local port number on standard output.
  -?, --help                   Print this help and exit.
      --usage                  Print the usage line and exit.
`
)

func TestHelpTextFromTable(t *testing.T) {
	var c config
	if got := c.grammar().helpText("tcp-socket-listen"); got != wantHelp {
		t.Errorf("help text:\n%s\nwant:\n%s", got, wantHelp)
	}
	if got := c.grammar().usageLine("tcp-socket-listen"); got != wantUsage {
		t.Errorf("usage line %q; want %q", got, wantUsage)
	}
}
