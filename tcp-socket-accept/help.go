// Code generated from ../help.go by make copies; DO NOT EDIT.

package main

import "os"

// builtinOptions are the options every command has, which parse answers
// itself.
var builtinOptions = []option{
	{long: "help", short: '?', help: "Print this help and exit."},
	{long: "usage", help: "Print the usage line and exit."},
}

// usageLine is what --usage prints.
func (g grammar) usageLine(prog string) string {
	return "Usage: " + prog + " [OPTION...] " + g.operands + "\n"
}

// helpText is what --help prints: the usage line, then the table, one
// option a line, descriptions in one column.
func (g grammar) helpText(prog string) string {
	all := append(append([]option{}, g.options...), builtinOptions...)
	width := 0
	for _, o := range all {
		if n := len(optionNames(o)); n > width {
			width = n
		}
	}
	s := g.usageLine(prog) + "Options:\n"
	for _, o := range all {
		short := "    "
		if o.short != 0 {
			short = "-" + string(o.short) + ", "
		}
		n := optionNames(o)
		for len(n) < width+2 {
			n += " "
		}
		s += "  " + short + n + o.help + "\n"
	}
	return s
}

// optionNames is the long name with its value, as the help shows them.
func optionNames(o option) string {
	if o.value == "" {
		return "--" + o.long
	}
	return "--" + o.long + " " + o.value
}

// settle ends the process unless the command line asks for a run: a
// mistake is one FATAL line and status 1; help or usage is printed on
// standard output, status 0.
func (g grammar) settle(prog string, req request, err error) {
	if err != nil {
		fatal(prog, err)
	}
	switch req {
	case reqHelp:
		os.Stdout.WriteString(g.helpText(prog))
	case reqUsage:
		os.Stdout.WriteString(g.usageLine(prog))
	default:
		return
	}
	os.Exit(0)
}

// splitArgv takes argv apart as main receives it: the name the program
// goes by in its messages and usage line (argv[0]'s base name, or name if
// there is none) and its arguments.
func splitArgv(argv []string, name string) (prog string, args []string) {
	if len(argv) == 0 {
		return name, nil
	}
	return progName(argv[0], name), argv[1:]
}
