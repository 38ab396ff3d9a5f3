package main

import "strings"

// The command line, read as the nosh toolset's tools read theirs: options
// strictly before the arguments, short ones alone or in clusters (-Hb7,
// -b 7), long ones as --name, --name=value or --name value. The help and
// usage texts (help.go) come from the same table that drives the parsing,
// so that the two cannot drift apart.

// option is one entry of a command's table.
type option struct {
	long  string // the name after "--"
	short byte   // the letter after "-", or 0 for none
	value string // what the help calls the option's value; "" for a switch
	help  string
	// set takes the option's value, "" for a switch. An error from it is
	// reported with the option and the value.
	set func(value string) error
}

// request says what the command line asks for besides a run.
type request int

const (
	reqRun request = iota
	reqHelp
	reqUsage
)

// grammar is a command's command line: its operands, for the usage line,
// and its options.
type grammar struct {
	operands string // for example "{host} {service} {next-prog...}"
	options  []option
}

// usageError is a command-line mistake. It names the argument at fault
// and, for a bad value, the value.
type usageError struct {
	arg, value string
	hasValue   bool
	msg        string
}

func (e *usageError) Error() string {
	if e.hasValue {
		return quote(e.arg) + " " + quote(e.value) + ": " + e.msg
	}
	return quote(e.arg) + ": " + e.msg
}

// parse reads the options at the front of args and returns the arguments
// after them: the first argument that is "-" or does not start with '-'
// ends the options, and so does "--", which is dropped. A request for
// help or usage stops the parse at once.
func (g grammar) parse(args []string) (rest []string, r request, err error) {
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
		if a[1] == '-' {
			r, err = g.long(a, args, &i)
		} else {
			r, err = g.short(a, args, &i)
		}
		if err != nil || r != reqRun {
			return nil, r, err
		}
	}
	return args[i:], reqRun, nil
}

// long handles args[*i], which starts with "--"; it may take the next
// argument as the option's value.
func (g grammar) long(a string, args []string, i *int) (request, error) {
	name, value, hasValue := strings.Cut(a[2:], "=")
	o := g.byLong(name)
	switch {
	case o != nil && o.value != "":
		if !hasValue {
			var err error
			if value, err = nextArg("--"+name, args, i); err != nil {
				return reqRun, err
			}
		}
		return reqRun, give(o, "--"+name, value)
	case hasValue && (o != nil || name == "help" || name == "usage"):
		return reqRun, &usageError{arg: a, msg: "option takes no argument"}
	case o != nil:
		return reqRun, give(o, "--"+name, "")
	case name == "help":
		return reqHelp, nil
	case name == "usage":
		return reqUsage, nil
	}
	return reqRun, &usageError{arg: a, msg: "unknown option"}
}

// short handles a cluster such as -Hb7 in args[*i]. An option that takes
// a value takes the rest of the cluster, or else the next argument.
func (g grammar) short(a string, args []string, i *int) (request, error) {
	for j := 1; j < len(a); j++ {
		if a[j] == '?' {
			return reqHelp, nil
		}
		o := g.byShort(a[j])
		switch {
		case o == nil:
			return reqRun, &usageError{arg: "-" + a[j:j+1], msg: "unknown option"}
		case o.value == "":
			if err := give(o, "-"+a[j:j+1], ""); err != nil {
				return reqRun, err
			}
			continue
		}
		opt, value := "-"+a[j:j+1], a[j+1:]
		if value == "" {
			var err error
			if value, err = nextArg(opt, args, i); err != nil {
				return reqRun, err
			}
		}
		return reqRun, give(o, opt, value)
	}
	return reqRun, nil
}

// give hands value to o, and names opt and the value if o refuses it.
func give(o *option, opt, value string) error {
	if err := o.set(value); err != nil {
		return &usageError{arg: opt, value: value, hasValue: o.value != "", msg: err.Error()}
	}
	return nil
}

// nextArg takes the argument after args[*i] as the value of opt.
func nextArg(opt string, args []string, i *int) (string, error) {
	if *i+1 >= len(args) {
		return "", &usageError{arg: opt, msg: "missing option argument"}
	}
	*i++
	return args[*i], nil
}

func (g grammar) byLong(name string) *option {
	for k := range g.options {
		if g.options[k].long == name {
			return &g.options[k]
		}
	}
	return nil
}

func (g grammar) byShort(b byte) *option {
	for k := range g.options {
		if g.options[k].short == b && b != 0 {
			return &g.options[k]
		}
	}
	return nil
}

// on is the set of a switch that turns flag on.
func on(flag *bool) func(string) error {
	return func(string) error { *flag = true; return nil }
}
