package main

import (
	"errors"

	"tcp-socket-tools/internal/cmdline"
	"tcp-socket-tools/internal/cparse"
)

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
	backlog         int

	host    string
	service string
	next    []string // next-prog and its own arguments, untouched
}

// command is the grammar of the command line, each option setting its
// part of c; --help prints this table.
func (c *config) command() cmdline.Command {
	return cmdline.Command{
		Operands: "{host} {service} {next-prog...}",
		Options: []cmdline.Option{
			{Long: "no-reuse-address", Help: "Disallow rapid re-use of a local IP address and port.", Set: cmdline.On(&c.noReuseAddress)},
			{Long: "reuse-port", Help: "Allow multiple listening sockets to share a single local IP address and port.", Set: cmdline.On(&c.reusePort)},
			{Long: "bind-to-any", Help: "Allow binding to any IP address even if it is not on any network interface.", Set: cmdline.On(&c.bindToAny)},
			{Long: "numeric-host", Short: 'H', Help: "Assume that the host is an IP address.", Set: cmdline.On(&c.numericHost)},
			{Long: "numeric-service", Help: "Assume that the service is a port number.", Set: cmdline.On(&c.numericService)},
			{Long: "check-interfaces", Help: "Disallow IPv4 or IPv6 if no interface supports them.", Set: cmdline.On(&c.checkInterfaces)},
			{Long: "combine4and6", Help: "Allow IPv6 sockets to talk IPv4 to mapped addresses.", Set: cmdline.On(&c.combine4and6)},
			{Long: "upstart-compatibility", Help: "Set $UPSTART_FDS and $UPSTART_EVENTS for compatibility with upstart.", Set: cmdline.On(&c.upstart)},
			{Long: "systemd-compatibility", Help: "Set $LISTEN_FDS and $LISTEN_PID for compatibility with systemd.", Set: cmdline.On(&c.systemd)},
			{Long: "backlog", Short: 'b', Value: "number", Help: "Specify the listening backlog (default 5).", Set: c.setBacklog},
		},
	}
}

func (c *config) setBacklog(value string) error {
	n, err := cparse.Int(value)
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
func parseArgs(args []string) (config, cmdline.Request, error) {
	c := config{backlog: 5}
	rest, req, err := c.command().Parse(args)
	if err != nil || req != cmdline.Run {
		return c, req, err
	}
	if len(rest) < 3 {
		return c, req, errors.New("missing " + [...]string{"host", "service", "next-prog"}[len(rest)])
	}
	c.host, c.service, c.next = rest[0], rest[1], rest[2:]
	return c, req, nil
}
