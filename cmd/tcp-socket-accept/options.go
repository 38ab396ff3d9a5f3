package main

import "errors"

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

const usageLine = "Usage: tcp-socket-accept [OPTION...] {next-prog...}\n"

const optionList = `Options:
  -v, --verbose                 Print status messages.
  -k, --keepalives              Turn on TCP keepalives.
      --no-keepalives           Leave TCP keepalives off (the default).
  -D, --no-delay                Turn off the TCP Nagle algorithm.
  -o, --no-kill-IP-options      Leave IP options on connections.
  -c, --connection-limit number Specify the maximum number of simultaneous connections (default 40).
  -C, --per-host-limit number   Specify the maximum number of simultaneous connections from one address.
  -l, --localname name          Set $TCPLOCALHOST to name.
  -?, --help                    Print this help and exit.
      --usage                   Print the usage line and exit.
`

// parseArgs reads the command line into a config.
func parseArgs(args []string) (config, request, error) {
	c := config{limit: 40}
	rest, req, err := parseOptions(args, c.options())
	if err != nil || req != run {
		return c, req, err
	}
	if len(rest) == 0 {
		return c, run, errors.New("missing next-prog")
	}
	c.next = rest
	return c, run, nil
}

// options is the table of what each option sets in c.
func (c *config) options() []option {
	on := func(b *bool) func() { return func() { *b = true } }
	count := func(n *int) func(string) error {
		return func(s string) (err error) { *n, err = positiveInt(s); return err }
	}
	return []option{
		{long: "verbose", short: 'v', set: on(&c.verbose)},
		{long: "keepalives", short: 'k', set: on(&c.keepalives)},
		{long: "no-keepalives", set: func() { c.keepalives = false }},
		{long: "no-delay", short: 'D', set: on(&c.noDelay)},
		{long: "no-kill-IP-options", short: 'o', set: on(&c.keepIPOptions)},
		{long: "connection-limit", short: 'c', setValue: count(&c.limit)},
		{long: "per-host-limit", short: 'C', setValue: count(&c.perHost)},
		{long: "localname", short: 'l', setValue: func(s string) error {
			c.localName, c.hasLocalName = s, true
			return nil
		}},
	}
}
