package main

import (
	"errors"
)

// config is everything the command line says, handed from step to step.
type config struct {
	verbose       bool // -v: the status lines
	quiet         bool // -q: not even the ERROR lines
	keepalives    bool
	noDelay       bool
	keepIPOptions bool
	remoteHost    bool   // -h: look up TCPREMOTEHOST
	paranoid      bool   // -p: only a name that gives the address back
	limit         int    // children at once
	perHost       int    // children at once for one client address; 0: no limit
	localName     string // TCPLOCALHOST, when hasLocalName
	hasLocalName  bool
	rules         string   // -x: the rules file, "" for none
	rulesOptional bool     // -X: a missing rules file allows every client
	uid, gid      int      // -u, -g: whom to run as, -1 for no change
	uidFromEnv    bool     // -U, for the user: $UID
	gidFromEnv    bool     // -U, for the group: $GID
	banner        string   // -B: written to each connection let in
	tcpserverLog  bool     // --log-format tcpserver: -v's lines in tcpserver's words
	next          []string // next-prog and its own arguments, untouched
}

// grammar is the option table: what each option sets in c, and its help.
func (c *config) grammar() grammar {
	return grammar{
		operands: "{next-prog...}",
		options: []option{
			{long: "verbose", short: 'v', help: "Print status messages.", set: c.speak(true, false)},
			{long: "log-format", value: "format", help: "Write -v's lines as nosh's tool (the default) or tcpserver writes them.", set: c.setLogFormat},
			{long: "quiet", short: 'q', help: "Print no error messages.", set: c.speak(false, true)},
			{long: "errors", short: 'Q', help: "Print error messages, not status messages (the default).", set: c.speak(false, false)},
			{long: "keepalives", short: 'k', help: "Turn on TCP keepalives.", set: on(&c.keepalives)},
			{long: "no-keepalives", help: "Leave TCP keepalives off (the default).", set: off(&c.keepalives)},
			{long: "no-delay", short: 'D', help: "Turn off the TCP Nagle algorithm.", set: on(&c.noDelay)},
			{long: "delay", short: 'd', help: "Leave the TCP Nagle algorithm on (the default).", set: off(&c.noDelay)},
			{long: "no-kill-IP-options", short: 'o', help: "Leave IP options on connections.", set: on(&c.keepIPOptions)},
			{long: "kill-IP-options", short: 'O', help: "Clear IP options on connections (the default).", set: off(&c.keepIPOptions)},
			{long: "remote-host", short: 'h', help: "Look up the client's host name for $TCPREMOTEHOST and =host rules.", set: on(&c.remoteHost)},
			{long: "no-remote-host", short: 'H', help: "Look up no client host name (the default).", set: off(&c.remoteHost)},
			{long: "paranoid", short: 'p', help: "With -h, keep a name only if it looks up to the client's address.", set: on(&c.paranoid)},
			{long: "no-paranoid", short: 'P', help: "With -h, keep the name as found (the default).", set: off(&c.paranoid)},
			{long: "no-remote-info", short: 'R', help: "Ask no ident server (always).", set: nothing},
			{long: "remote-info", short: 'r', help: "Not supported: ask the client's ident server.", set: noIdent},
			{long: "ident-timeout", short: 't', value: "seconds", help: "Not supported: the ident server's timeout.", set: noIdent},
			{long: "connection-limit", short: 'c', value: "number", help: "Specify the maximum number of simultaneous connections (default 40).", set: count(&c.limit)},
			{long: "per-host-limit", short: 'C', value: "number", help: "Specify the maximum number of simultaneous connections from one address.", set: count(&c.perHost)},
			{long: "localname", short: 'l', value: "name", help: "Set $TCPLOCALHOST to name.", set: func(s string) error {
				c.localName, c.hasLocalName = s, true
				return nil
			}},
			{long: "rules", short: 'x', value: "file", help: "Follow the rules that tcprules(1) compiled into file.", set: func(s string) error {
				if s == "" {
					return errors.New("must not be empty")
				}
				c.rules = s
				return nil
			}},
			{long: "banner", short: 'B', value: "banner", help: "Write banner to each connection the rules allow, before next-prog.", set: c.setBanner},
			{long: "rules-optional", short: 'X', help: "With -x, allow every connection while the rules file does not exist.", set: on(&c.rulesOptional)},
			{long: "uid", short: 'u', value: "uid", help: "Run as the user ID uid once the listening sockets are taken.", set: c.setID(&c.uid, &c.uidFromEnv)},
			{long: "gid", short: 'g', value: "gid", help: "Run as the group ID gid, and in no other group.", set: c.setID(&c.gid, &c.gidFromEnv)},
			{long: "env-ids", short: 'U', help: "Run as $UID and $GID, which envuidgid sets.", set: func(string) error {
				c.uidFromEnv, c.gidFromEnv = true, true
				return nil
			}},
		},
	}
}

// setID reads -u or -g into id; it overrides an earlier -U.
func (c *config) setID(id *int, fromEnv *bool) func(string) error {
	return func(s string) (err error) {
		*id, err = idNumber(s)
		*fromEnv = false
		return err
	}
}

// speak sets how much the server says on standard error, as tcpserver's
// -v, -q and -Q do: the last of them wins.
func (c *config) speak(verbose, quiet bool) func(string) error {
	return func(string) error {
		c.verbose, c.quiet = verbose, quiet
		return nil
	}
}

func off(b *bool) func(string) error {
	return func(string) error { *b = false; return nil }
}

// nothing is the setting of a tcpserver option that asks for what the
// server always does, so that tcpserver's command lines move as written.
func nothing(string) error { return nil }

// noIdent refuses tcpserver's ident options, -r and -t.
func noIdent(string) error {
	return errors.New("not supported: the server asks no ident server (RFC 1413) for TCPREMOTEINFO; use -R, or leave the option out")
}

func count(n *int) func(string) error {
	return func(s string) (err error) { *n, err = positiveInt(s); return err }
}

// parseArgs reads the command line into a config.
func parseArgs(args []string) (config, request, error) {
	c := config{limit: 40, uid: -1, gid: -1}
	rest, req, err := c.grammar().parse(args)
	if err != nil || req != reqRun {
		return c, req, err
	}
	if len(rest) == 0 {
		return c, req, errors.New("missing next-prog")
	}
	c.next = rest
	return c, req, nil
}

// positiveInt reads a count as cInt does, and refuses zero too.
func positiveInt(s string) (int, error) {
	n, err := cInt(s)
	if err == nil && n == 0 {
		return 0, errors.New("must be at least 1")
	}
	return n, err
}
