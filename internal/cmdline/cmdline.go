// Package cmdline reads a command line as the nosh toolset's tools do:
// options strictly before the arguments, short ones alone or in clusters
// (-Hb7, -b 7), long ones as --name, --name=value or --name value. The
// help and usage texts come from the same table that drives the parsing,
// so that the two cannot drift apart.
package cmdline

import (
	"strings"

	"tcp-socket-tools/internal/diag"
)

// Option is one entry of a command's table.
type Option struct {
	Long  string // the name after "--"
	Short byte   // the letter after "-", or 0 for none
	Value string // what the help calls the option's value; "" for a switch
	Help  string
	// Set takes the option's value, "" for a switch. An error from it is
	// reported with the option and the value.
	Set func(value string) error
}

// Request says what the command line asks for besides a run.
type Request int

const (
	Run Request = iota
	Help
	Usage
)

// Command is a command's grammar: its operands, for the usage line, and
// its options.
type Command struct {
	Operands string // for example "{host} {service} {next-prog...}"
	Options  []Option
}

// Error is a command-line mistake. It names the argument at fault and,
// for a bad value, the value.
type Error struct {
	Arg, Value string
	HasValue   bool
	Msg        string
}

func (e *Error) Error() string {
	if e.HasValue {
		return diag.Quote(e.Arg) + " " + diag.Quote(e.Value) + ": " + e.Msg
	}
	return diag.Quote(e.Arg) + ": " + e.Msg
}

// Parse reads the options at the front of args and returns the arguments
// after them: the first argument that is "-" or does not start with '-'
// ends the options, and so does "--", which is dropped. A request for
// help or usage stops the parse at once.
func (c Command) Parse(args []string) (rest []string, r Request, err error) {
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
			r, err = c.long(a, args, &i)
		} else {
			r, err = c.short(a, args, &i)
		}
		if err != nil || r != Run {
			return nil, r, err
		}
	}
	return args[i:], Run, nil
}

// long handles args[*i], which starts with "--"; it may take the next
// argument as the option's value.
func (c Command) long(a string, args []string, i *int) (Request, error) {
	name, value, hasValue := strings.Cut(a[2:], "=")
	o := c.byLong(name)
	switch {
	case o != nil && o.Value != "":
		if !hasValue {
			var err error
			if value, err = nextArg("--"+name, args, i); err != nil {
				return Run, err
			}
		}
		return Run, set(o, "--"+name, value)
	case hasValue && (o != nil || name == "help" || name == "usage"):
		return Run, &Error{Arg: a, Msg: "option takes no argument"}
	case o != nil:
		return Run, set(o, "--"+name, "")
	case name == "help":
		return Help, nil
	case name == "usage":
		return Usage, nil
	}
	return Run, &Error{Arg: a, Msg: "unknown option"}
}

// short handles a cluster such as -Hb7 in args[*i]. An option that takes
// a value takes the rest of the cluster, or else the next argument.
func (c Command) short(a string, args []string, i *int) (Request, error) {
	for j := 1; j < len(a); j++ {
		if a[j] == '?' {
			return Help, nil
		}
		o := c.byShort(a[j])
		switch {
		case o == nil:
			return Run, &Error{Arg: "-" + a[j:j+1], Msg: "unknown option"}
		case o.Value == "":
			if err := set(o, "-"+a[j:j+1], ""); err != nil {
				return Run, err
			}
			continue
		}
		opt, value := "-"+a[j:j+1], a[j+1:]
		if value == "" {
			var err error
			if value, err = nextArg(opt, args, i); err != nil {
				return Run, err
			}
		}
		return Run, set(o, opt, value)
	}
	return Run, nil
}

// set hands value to o, and names opt and the value if o refuses it.
func set(o *Option, opt, value string) error {
	if err := o.Set(value); err != nil {
		return &Error{Arg: opt, Value: value, HasValue: o.Value != "", Msg: err.Error()}
	}
	return nil
}

// nextArg takes the argument after args[*i] as the value of opt.
func nextArg(opt string, args []string, i *int) (string, error) {
	if *i+1 >= len(args) {
		return "", &Error{Arg: opt, Msg: "missing option argument"}
	}
	*i++
	return args[*i], nil
}

func (c Command) byLong(name string) *Option {
	for k := range c.Options {
		if c.Options[k].Long == name {
			return &c.Options[k]
		}
	}
	return nil
}

func (c Command) byShort(b byte) *Option {
	for k := range c.Options {
		if c.Options[k].Short == b && b != 0 {
			return &c.Options[k]
		}
	}
	return nil
}

// On is the Set of a switch that turns flag on.
func On(flag *bool) func(string) error {
	return func(string) error { *flag = true; return nil }
}
