package cmdline

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
