package cmdline

import (
	"os"

	"tcp-socket-tools/internal/diag"
)

// The options every command has, which Parse answers itself.
var builtins = []Option{
	{Long: "help", Short: '?', Help: "Print this help and exit."},
	{Long: "usage", Help: "Print the usage line and exit."},
}

// UsageLine is what --usage prints.
func (c Command) UsageLine(prog string) string {
	return "Usage: " + prog + " [OPTION...] " + c.Operands + "\n"
}

// HelpText is what --help prints: the usage line, then the table, one
// option a line, descriptions in one column.
func (c Command) HelpText(prog string) string {
	all := append(append([]Option{}, c.Options...), builtins...)
	width := 0
	for _, o := range all {
		width = max(width, len(names(o)))
	}
	s := c.UsageLine(prog) + "Options:\n"
	for _, o := range all {
		short := "    "
		if o.Short != 0 {
			short = "-" + string(o.Short) + ", "
		}
		n := names(o)
		for len(n) < width+2 {
			n += " "
		}
		s += "  " + short + n + o.Help + "\n"
	}
	return s
}

// names is the long name with its value, as the help shows them.
func names(o Option) string {
	if o.Value == "" {
		return "--" + o.Long
	}
	return "--" + o.Long + " " + o.Value
}

// Answer writes on standard output what req asks for, the help or the
// usage line, and tells whether it asked for either.
func (c Command) Answer(req Request, prog string) bool {
	switch req {
	case Help:
		os.Stdout.WriteString(c.HelpText(prog))
	case Usage:
		os.Stdout.WriteString(c.UsageLine(prog))
	default:
		return false
	}
	return true
}

// Split takes argv apart as main receives it: the name the program goes
// by in its messages and usage line (argv[0]'s base name, or name if
// there is none) and its arguments.
func Split(argv []string, name string) (prog string, args []string) {
	if len(argv) == 0 {
		return name, nil
	}
	return diag.ProgName(argv[0], name), argv[1:]
}
