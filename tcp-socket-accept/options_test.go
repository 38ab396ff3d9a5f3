//go:build linux

package main

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestPositiveInt(t *testing.T) {
	cases := []struct {
		in   string
		want int
		err  string
	}{
		{"40", 40, ""}, {"0x28", 40, ""}, {"0X28", 40, ""}, {"050", 40, ""}, {"+40", 40, ""}, {" \t40", 40, ""},
		{"2147483647", 2147483647, ""}, {"0x", 0, "junk after number"},
		{"0", 0, "must be at least 1"}, {"-1", 0, "negative number"}, {"-0", 0, "negative number"},
		{"", 0, "not a number"}, {"x", 0, "not a number"}, {"40 ", 0, "junk after number"}, {"08", 0, "junk after number"},
		{"2147483648", 0, "number out of range"}, {"18446744073709551616", 0, "number out of range"},
	}
	for _, c := range cases {
		got, err := positiveInt(c.in)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("positiveInt(%q) = %d, %q; want %d, %q", c.in, got, msg, c.want, c.err)
		}
	}
}

// TestNtop6 checks the IPv6 forms against what glibc's inet_ntop writes.
func TestNtop6(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"::", "::"}, {"::1", "::1"}, {"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
		{"::1.2.3.4", "::1.2.3.4"}, {"::0.0.1.2", "::102"}, {"2001:db8::1", "2001:db8::1"},
		{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, {"fe80::1:2", "fe80::1:2"},
	} {
		if got := ntop6(netip.MustParseAddr(c.in).As16()); got != c.want {
			t.Errorf("ntop6(%s) = %s; want %s", c.in, got, c.want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		args []string
		want config
	}{
		{[]string{"cat"}, config{limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-vkDo", "-c3", "-C", "2", "-lname", "cat", "-v"},
			config{verbose: true, keepalives: true, noDelay: true, keepIPOptions: true, limit: 3, uid: -1, gid: -1, perHost: 2, localName: "name", hasLocalName: true, next: []string{"cat", "-v"}}},
		{[]string{"--verbose", "--connection-limit=5", "--per-host-limit", "07", "--localname=", "--", "-x"},
			config{verbose: true, limit: 5, uid: -1, gid: -1, perHost: 7, hasLocalName: true, next: []string{"-x"}}},
		{[]string{"-", "a"}, config{limit: 40, uid: -1, gid: -1, next: []string{"-", "a"}}},
		{[]string{"-Xx", "r.cdb", "-x/etc/tcp.cdb", "cat"}, config{limit: 40, uid: -1, gid: -1, rules: "/etc/tcp.cdb", rulesOptional: true, next: []string{"cat"}}},
		{[]string{"--rules", "a.cdb", "--rules-optional", "cat"}, config{limit: 40, uid: -1, gid: -1, rules: "a.cdb", rulesOptional: true, next: []string{"cat"}}},
		// tcpserver's letters, as axfrdns-conf writes them: the last of
		// -v, -q and -Q wins, -d and -O undo -D and -o, -H and -R ask for
		// what the server always does.
		{[]string{"-vDRHl0", "-x", "tcp.cdb", "--", "axfrdns"}, config{verbose: true, noDelay: true, limit: 40, uid: -1, gid: -1, localName: "0", hasLocalName: true, rules: "tcp.cdb", next: []string{"axfrdns"}}},
		{[]string{"-vq", "cat"}, config{quiet: true, limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-qv", "cat"}, config{verbose: true, limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-vQ", "-Dd", "-oO", "cat"}, config{limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"--quiet", "--errors", "--no-remote-host", "--no-remote-info", "--delay", "--kill-IP-options", "cat"}, config{limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		// The qmail-smtpd run script's -u and -g; -U as envuidgid's, which
		// a later -u or -g overrides, as tcpserver reads them in turn.
		{[]string{"-v", "-R", "-l", "0", "-x", "/etc/tcp.smtp.cdb", "-c", "20", "-u", "7791", "-g", "2108", "0", "smtp"}, config{verbose: true, limit: 20, localName: "0", hasLocalName: true, rules: "/etc/tcp.smtp.cdb", uid: 7791, gid: 2108, next: []string{"0", "smtp"}}},
		{[]string{"-hp", "cat"}, config{remoteHost: true, paranoid: true, limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-hpHP", "cat"}, config{limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"--remote-host", "--paranoid", "cat"}, config{remoteHost: true, paranoid: true, limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-vhRl0", "cat"}, config{verbose: true, remoteHost: true, localName: "0", hasLocalName: true, limit: 40, uid: -1, gid: -1, next: []string{"cat"}}},
		{[]string{"-Uu7", "cat"}, config{limit: 40, uid: 7, gid: -1, gidFromEnv: true, next: []string{"cat"}}},
		{[]string{"-u7", "-U", "cat"}, config{limit: 40, uid: 7, gid: -1, uidFromEnv: true, gidFromEnv: true, next: []string{"cat"}}},
	}
	for _, c := range cases {
		got, req, err := parseArgs(c.args)
		if err != nil || req != reqRun || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseArgs(%q) = %+v, %v, %v; want %+v", c.args, got, req, err, c.want)
		}
	}
}

// TestHelpText: the help generated from the option table is the one
// this command printed before the table generated it, but for the column
// width, which is now that of tcp-socket-listen's help.
func TestHelpText(t *testing.T) {
	var c config
	want := `Usage: tcp-socket-accept [OPTION...] {next-prog...}
Options:
  -v, --verbose                  Print status messages.
      --log-format format        Write -v's lines as nosh's tool (the default) or tcpserver writes them.
  -q, --quiet                    Print no error messages.
  -Q, --errors                   Print error messages, not status messages (the default).
  -k, --keepalives               Turn on TCP keepalives.
      --no-keepalives            Leave TCP keepalives off (the default).
  -D, --no-delay                 Turn off the TCP Nagle algorithm.
  -d, --delay                    Leave the TCP Nagle algorithm on (the default).
  -o, --no-kill-IP-options       Leave IP options on connections.
  -O, --kill-IP-options          Clear IP options on connections (the default).
  -h, --remote-host              Look up the client's host name for $TCPREMOTEHOST and =host rules.
  -H, --no-remote-host           Look up no client host name (the default).
  -p, --paranoid                 With -h, keep a name only if it looks up to the client's address.
  -P, --no-paranoid              With -h, keep the name as found (the default).
  -R, --no-remote-info           Ask no ident server (always).
  -r, --remote-info              Not supported: ask the client's ident server.
  -t, --ident-timeout seconds    Not supported: the ident server's timeout.
  -c, --connection-limit number  Specify the maximum number of simultaneous connections (default 40).
  -C, --per-host-limit number    Specify the maximum number of simultaneous connections from one address.
  -l, --localname name           Set $TCPLOCALHOST to name.
  -x, --rules file               Follow the rules that tcprules(1) compiled into file.
  -B, --banner banner            Write banner to each connection the rules allow, before next-prog.
  -X, --rules-optional           With -x, allow every connection while the rules file does not exist.
  -u, --uid uid                  Run as the user ID uid once the listening sockets are taken.
  -g, --gid gid                  Run as the group ID gid, and in no other group.
  -U, --env-ids                  Run as $UID and $GID, which envuidgid sets.
  -?, --help                     Print this help and exit.
      --usage                    Print the usage line and exit.
`
	if got := c.grammar().helpText("tcp-socket-accept"); got != want {
		t.Errorf("help\n%s\nwant\n%s", got, want)
	}
}
