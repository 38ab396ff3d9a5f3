package main

import (
	"errors"
	"math"
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

// request says what the command line asks for besides a listener.
type request int

const (
	run request = iota
	help
	usage
)

// usageLine names the program as its messages do, by argv[0].
func usageLine(prog string) string {
	return "Usage: " + prog + " [OPTION...] {host} {service} {next-prog...}\n"
}

const optionList = `Options:
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
  -?, --help                   Print this help and exit.
      --usage                  Print the usage line and exit.
`

// usageError is a command-line mistake; it names the argument at fault.
type usageError struct{ arg, msg string }

func (e *usageError) Error() string { return quoted(e.arg) + ": " + e.msg }

// parseArgs reads the options, which come strictly before the arguments,
// as in the C original: the first argument that does not start with '-',
// or is "-" alone, ends them, and so does "--", which is dropped; all
// after next-prog belongs to next-prog. The C original skips a lone "-"
// as an empty cluster of short options; here it is the host.
func parseArgs(args []string) (config, request, error) {
	c := config{backlog: 5}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		var r request
		var err error
		if a[1] == '-' {
			r, err = c.longOption(a, args, &i)
		} else {
			r, err = c.shortOptions(a, args, &i)
		}
		if err != nil || r != run {
			return c, r, err
		}
	}
	rest := args[i:]
	if len(rest) < 3 {
		return c, run, errors.New("missing " + [...]string{"host", "service", "next-prog"}[len(rest)])
	}
	c.host, c.service, c.next = rest[0], rest[1], rest[2:]
	return c, run, nil
}

// longOption handles args[*i], which starts with "--"; it may consume
// the next argument as the value of --backlog.
func (c *config) longOption(a string, args []string, i *int) (request, error) {
	name, value, hasValue := cut(a[2:], '=')
	flag := c.flag(name)
	switch {
	case name == "backlog":
		if !hasValue {
			var err error
			if value, err = nextArg("--backlog", args, i); err != nil {
				return run, err
			}
		}
		return run, c.setBacklog("--backlog", value)
	case hasValue && (flag != nil || name == "help" || name == "usage"):
		return run, &usageError{a, "option takes no argument"}
	case flag != nil:
		*flag = true
		return run, nil
	case name == "help":
		return help, nil
	case name == "usage":
		return usage, nil
	}
	return run, &usageError{a, "unknown option"}
}

// flag is the switch that the long option --name turns on, or nil.
func (c *config) flag(name string) *bool {
	switch name {
	case "no-reuse-address":
		return &c.noReuseAddress
	case "reuse-port":
		return &c.reusePort
	case "bind-to-any":
		return &c.bindToAny
	case "numeric-host":
		return &c.numericHost
	case "numeric-service":
		return &c.numericService
	case "check-interfaces":
		return &c.checkInterfaces
	case "combine4and6":
		return &c.combine4and6
	case "upstart-compatibility":
		return &c.upstart
	case "systemd-compatibility":
		return &c.systemd
	}
	return nil
}

// shortOptions handles a cluster such as -Hb7 or -b 7 in args[*i].
func (c *config) shortOptions(a string, args []string, i *int) (request, error) {
	for j := 1; j < len(a); j++ {
		switch a[j] {
		case 'H':
			c.numericHost = true
		case '?':
			return help, nil
		case 'b':
			value := a[j+1:]
			if value == "" {
				var err error
				if value, err = nextArg("-b", args, i); err != nil {
					return run, err
				}
			}
			return run, c.setBacklog("-b", value)
		default:
			return run, &usageError{"-" + a[j:j+1], "unknown option"}
		}
	}
	return run, nil
}

// nextArg takes the argument after args[*i] as the value of opt.
func nextArg(opt string, args []string, i *int) (string, error) {
	if *i+1 >= len(args) {
		return "", &usageError{opt, "missing option argument"}
	}
	*i++
	return args[*i], nil
}

func (c *config) setBacklog(opt, value string) error {
	n, err := parseBacklog(value)
	if err != nil {
		return errors.New(opt + " " + quoted(value) + ": " + err.Error())
	}
	c.backlog = n
	return nil
}

// parseBacklog reads an unsigned number as C's strtoul does with base 0
// (17, 0x11 and 021 are all seventeen), but refuses what strtoul would
// wrap or truncate: a minus sign, and anything listen(2)'s int cannot hold.
func parseBacklog(s string) (int, error) {
	v, neg, err := strtoul(s)
	switch {
	case err != nil:
		return 0, err
	case neg:
		return 0, errors.New("negative number")
	case v > math.MaxInt32:
		return 0, errors.New("number out of range")
	}
	return int(v), nil
}

// errRange is strtoul's error for a number that needs over 64 bits.
var errRange = errors.New("number out of range")

// strtoul parses all of s the way C's strtoul(s, &end, 0) does, demanding
// that end reach the end of s: leading white space, an optional sign, then
// a decimal, 0x hexadecimal or 0 octal number of at most 64 bits. It
// reports a minus sign rather than wrapping around.
func strtoul(s string) (v uint64, neg bool, err error) {
	s, neg = cutSign(s)
	if s == "" || !isDigit(s[0]) {
		return 0, neg, errors.New("not a number")
	}
	v, rest, ok := cNumber(s)
	switch {
	case rest != "":
		return 0, neg, errors.New("junk after number")
	case !ok:
		return 0, neg, errRange
	}
	return v, neg, nil
}

// cutSign drops the white space and the sign that strtoul allows before
// a number, and tells whether the sign was a minus.
func cutSign(s string) (rest string, neg bool) {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:], s[0] == '-'
	}
	return s, false
}

// cNumber reads the number at the start of s, which begins with a digit,
// as a C integer constant: 0x for hexadecimal, a leading 0 for octal. As
// in strtoul, "0x" with no hexadecimal digit after it is just the 0. It
// returns the rest of s, and ok false if the number needs over 64 bits.
func cNumber(s string) (v uint64, rest string, ok bool) {
	base, i := uint64(10), 0
	if s[0] == '0' {
		base, i = 8, 1
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && digitValue(s[2]) < 16 {
			base, i = 16, 2
		}
	}
	ok = true
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			ok = false
		}
		v = v*base + d
	}
	return v, s[i:], ok
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isSpace is C's isspace in the C locale.
func isSpace(b byte) bool { return b == ' ' || '\t' <= b && b <= '\r' }

// digitValue is b's value as a digit in any base up to 16, or 99.
func digitValue(b byte) uint64 {
	switch {
	case isDigit(b):
		return uint64(b - '0')
	case 'a' <= b && b <= 'f':
		return uint64(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return uint64(b-'A') + 10
	}
	return 99
}
