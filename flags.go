package main

import "errors"

// config is everything the command line says, handed from step to step.
type config struct {
	noReuseAddress  bool
	reusePort       bool
	bindToAny       bool
	numericHost     bool
	numericService  bool
	checkInterfaces bool
	combine4and6    bool
	upstart         bool
	systemd         bool
	printPort       bool // -1
	backlog         int

	host    string
	service string
	next    []string // next-prog and its own arguments, untouched
}

// grammar is the command line, each option setting its
// part of c; --help prints this table.
func (c *config) grammar() grammar {
	return grammar{
		operands: "{host} {service} {next-prog...}",
		options: []option{
			{long: "no-reuse-address", help: "Disallow rapid re-use of a local IP address and port.", set: on(&c.noReuseAddress)},
			{long: "reuse-port", help: "Allow multiple listening sockets to share a single local IP address and port.", set: on(&c.reusePort)},
			{long: "bind-to-any", help: "Allow binding to any IP address even if it is not on any network interface.", set: on(&c.bindToAny)},
			{long: "numeric-host", short: 'H', help: "Assume that the host is an IP address.", set: on(&c.numericHost)},
			{long: "numeric-service", help: "Assume that the service is a port number.", set: on(&c.numericService)},
			{long: "check-interfaces", help: "Disallow IPv4 or IPv6 if no interface supports them.", set: on(&c.checkInterfaces)},
			{long: "combine4and6", help: "Allow IPv6 sockets to talk IPv4 to mapped addresses.", set: on(&c.combine4and6)},
			{long: "upstart-compatibility", help: "Set $UPSTART_FDS and $UPSTART_EVENTS for compatibility with upstart.", set: on(&c.upstart)},
			{long: "systemd-compatibility", help: "Set $LISTEN_FDS and $LISTEN_PID for compatibility with systemd.", set: on(&c.systemd)},
			{long: "backlog", short: 'b', value: "number", help: "Specify the listening backlog (default 5).", set: c.setBacklog},
			{long: "print-port", short: '1', help: "Print the local port number on standard output.", set: on(&c.printPort)},
		},
	}
}

func (c *config) setBacklog(value string) error {
	n, err := cInt(value)
	if err != nil {
		return err
	}
	c.backlog = n
	return nil
}

// parseArgs reads the options, which come strictly before the arguments,
// as in the C original: the first argument that does not start with '-',
// or is "-" alone, ends them, and so does "--", which is dropped; all
// after next-prog belongs to next-prog. The C original skips a lone "-"
// as an empty cluster of short options; here it is the host.
func parseArgs(args []string) (config, request, error) {
	c := config{backlog: 5}
	rest, req, err := c.grammar().parse(args)
	if err != nil || req != reqRun {
		return c, req, err
	}
	if len(rest) < 3 {
		return c, req, errors.New("missing " + [...]string{"host", "service", "next-prog"}[len(rest)])
	}
	c.host, c.service, c.next = rest[0], rest[1], rest[2:]
	return c, req, nil
}
