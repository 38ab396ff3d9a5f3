package main

import (
	"errors"

	"tcp-socket-tools/internal/cmdline"
	"tcp-socket-tools/internal/cparse"
)

// config is everything the command line says, handed from step to step.
type config struct {
	verbose       bool
	keepalives    bool
	noDelay       bool
	keepIPOptions bool
	limit         int    // children at once
	perHost       int    // children at once for one client address; 0: no limit
	localName     string // TCPLOCALHOST, when hasLocalName
	hasLocalName  bool
	next          []string // next-prog and its own arguments, untouched
}

// command is the option table: what each option sets in c, and its help.
func (c *config) command() cmdline.Command {
	return cmdline.Command{
		Operands: "{next-prog...}",
		Options: []cmdline.Option{
			{Long: "verbose", Short: 'v', Help: "Print status messages.", Set: cmdline.On(&c.verbose)},
			{Long: "keepalives", Short: 'k', Help: "Turn on TCP keepalives.", Set: cmdline.On(&c.keepalives)},
			{Long: "no-keepalives", Help: "Leave TCP keepalives off (the default).", Set: func(string) error { c.keepalives = false; return nil }},
			{Long: "no-delay", Short: 'D', Help: "Turn off the TCP Nagle algorithm.", Set: cmdline.On(&c.noDelay)},
			{Long: "no-kill-IP-options", Short: 'o', Help: "Leave IP options on connections.", Set: cmdline.On(&c.keepIPOptions)},
			{Long: "connection-limit", Short: 'c', Value: "number", Help: "Specify the maximum number of simultaneous connections (default 40).", Set: count(&c.limit)},
			{Long: "per-host-limit", Short: 'C', Value: "number", Help: "Specify the maximum number of simultaneous connections from one address.", Set: count(&c.perHost)},
			{Long: "localname", Short: 'l', Value: "name", Help: "Set $TCPLOCALHOST to name.", Set: func(s string) error {
				c.localName, c.hasLocalName = s, true
				return nil
			}},
		},
	}
}

func count(n *int) func(string) error {
	return func(s string) (err error) { *n, err = positiveInt(s); return err }
}

// parseArgs reads the command line into a config.
func parseArgs(args []string) (config, cmdline.Request, error) {
	c := config{limit: 40}
	rest, req, err := c.command().Parse(args)
	if err != nil || req != cmdline.Run {
		return c, req, err
	}
	if len(rest) == 0 {
		return c, req, errors.New("missing next-prog")
	}
	c.next = rest
	return c, req, nil
}

// positiveInt reads a count as cparse.Int does, and refuses zero too.
func positiveInt(s string) (int, error) {
	n, err := cparse.Int(s)
	if err == nil && n == 0 {
		return 0, errors.New("must be at least 1")
	}
	return n, err
}
