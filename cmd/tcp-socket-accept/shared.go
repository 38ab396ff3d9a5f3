// This file holds this command's minimal copies of what it shares with
// tcp-socket-listen: the option grammar, numbers as C's strtoul reads
// them, the environment as an exact list, the execvp(3) search and the
// FATAL convention. They will be replaced by the shared internal packages
// of the layout issue ("One module, two commands"); their APIs are kept
// plain (functions over []string and string) so that the swap is
// mechanical.

package main

import (
	"errors"
	"math"
	"os"
	"strconv"
	"syscall"
)

// --- The option grammar ---

// option is one entry of a command's option table. A flag has set; an
// option with a value has setValue.
type option struct {
	long     string
	short    byte // 0 for none
	set      func()
	setValue func(string) error
}

// request says what the command line asks for besides running.
type request int

const (
	run request = iota
	help
	usage
)

// usageError is a command-line mistake; it names the argument at fault.
type usageError struct{ arg, msg string }

func (e *usageError) Error() string { return quoted(e.arg) + ": " + e.msg }

// parseOptions reads the options, which come strictly before the
// arguments, as in the C original: the first argument that does not start
// with '-', or "--", ends them. It returns the arguments after them.
func parseOptions(args []string, table []option) ([]string, request, error) {
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
			r, err = longOption(a, args, &i, table)
		} else {
			r, err = shortOptions(a, args, &i, table)
		}
		if err != nil || r != run {
			return nil, r, err
		}
	}
	return args[i:], run, nil
}

// longOption handles args[*i], which starts with "--"; it may consume the
// next argument as an option's value.
func longOption(a string, args []string, i *int, table []option) (request, error) {
	name, value, hasValue := cut(a[2:], '=')
	switch name {
	case "help", "usage":
		if hasValue {
			return run, &usageError{a, "option takes no argument"}
		}
		if name == "help" {
			return help, nil
		}
		return usage, nil
	}
	for _, o := range table {
		if o.long != name {
			continue
		}
		if o.setValue == nil {
			if hasValue {
				return run, &usageError{a, "option takes no argument"}
			}
			o.set()
			return run, nil
		}
		if !hasValue {
			var err error
			if value, err = nextArg("--"+name, args, i); err != nil {
				return run, err
			}
		}
		return run, optionValue("--"+name, value, o)
	}
	return run, &usageError{a, "unknown option"}
}

// shortOptions handles a cluster such as -vkc40 or -c 40 in args[*i].
func shortOptions(a string, args []string, i *int, table []option) (request, error) {
	for j := 1; j < len(a); j++ {
		if a[j] == '?' {
			return help, nil
		}
		o, ok := shortOption(a[j], table)
		if !ok {
			return run, &usageError{"-" + a[j:j+1], "unknown option"}
		}
		if o.setValue == nil {
			o.set()
			continue
		}
		value := a[j+1:]
		if value == "" {
			var err error
			if value, err = nextArg("-"+a[j:j+1], args, i); err != nil {
				return run, err
			}
		}
		return run, optionValue("-"+a[j:j+1], value, o)
	}
	return run, nil
}

func shortOption(c byte, table []option) (option, bool) {
	for _, o := range table {
		if o.short == c && c != 0 {
			return o, true
		}
	}
	return option{}, false
}

// nextArg takes the argument after args[*i] as the value of opt.
func nextArg(opt string, args []string, i *int) (string, error) {
	if *i+1 >= len(args) {
		return "", &usageError{opt, "missing option argument"}
	}
	*i++
	return args[*i], nil
}

func optionValue(opt, value string, o option) error {
	if err := o.setValue(value); err != nil {
		return errors.New(opt + " " + quoted(value) + ": " + err.Error())
	}
	return nil
}

// --- Numbers as C reads them ---

// positiveInt reads a count as strtoul(s, &end, 0) does (40, 0x28 and 050
// are all forty), refusing what strtoul would wrap or let through: a minus
// sign, zero, and anything an int32 cannot hold.
func positiveInt(s string) (int, error) {
	v, neg, err := strtoul(s)
	switch {
	case err != nil:
		return 0, err
	case neg:
		return 0, errors.New("negative number")
	case v == 0:
		return 0, errors.New("must be at least 1")
	case v > math.MaxInt32:
		return 0, errors.New("number out of range")
	}
	return int(v), nil
}

// strtoul parses all of s the way C's strtoul(s, &end, 0) does, demanding
// that end reach the end of s. It reports a minus sign rather than
// wrapping around.
func strtoul(s string) (v uint64, neg bool, err error) {
	for s != "" && (s[0] == ' ' || '\t' <= s[0] && s[0] <= '\r') {
		s = s[1:]
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || digitValue(s[0]) > 9 {
		return 0, neg, errors.New("not a number")
	}
	base, i := uint64(10), 0
	if s[0] == '0' {
		base, i = 8, 1
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && digitValue(s[2]) < 16 {
			base, i = 16, 2
		}
	}
	fits := true
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			return 0, neg, errors.New("junk after number")
		}
		if v > (math.MaxUint64-d)/base {
			fits = false
		}
		v = v*base + d
	}
	if !fits {
		return 0, neg, errors.New("number out of range")
	}
	return v, neg, nil
}

// digitValue is b's value as a digit in any base up to 16, or 99.
func digitValue(b byte) uint64 {
	switch {
	case '0' <= b && b <= '9':
		return uint64(b - '0')
	case 'a' <= b && b <= 'f':
		return uint64(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return uint64(b-'A') + 10
	}
	return 99
}

// --- The environment as an exact list ---

// readEnviron is the environment exactly as the kernel was given it:
// syscall.Environ drops repeated names and empty entries, and adds to it
// in secure mode. It reads /proc/self/environ with raw system calls, so
// that no descriptor of the runtime's is left behind, and falls back to
// syscall.Environ where /proc is not mounted.
func readEnviron() []string {
	data, err := readRaw("/proc/self/environ")
	if err != nil {
		return syscall.Environ()
	}
	var env []string
	for len(data) > 0 {
		kv, rest, _ := cut(string(data), 0)
		env = append(env, kv)
		data = data[len(data)-len(rest):]
	}
	return env
}

// readRaw reads a whole small file with open, read and close.
func readRaw(path string) ([]byte, error) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var data []byte
	buf := make([]byte, 4096)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return data, nil
		}
		data = append(data, buf[:n]...)
	}
}

// getenv finds name's first entry, which is the one getenv(3) would find.
func getenv(env []string, name string) (string, bool) {
	if i := envIndex(env, name); i >= 0 {
		return env[i][len(name)+1:], true
	}
	return "", false
}

// setenv replaces name's first entry where it stands, or adds one at the
// end, as setenv(3) does; env is not changed in place.
func setenv(env []string, name, value string) []string {
	if i := envIndex(env, name); i >= 0 {
		out := append([]string(nil), env...)
		out[i] = name + "=" + value
		return out
	}
	return append(env[:len(env):len(env)], name+"="+value)
}

// unsetenv removes every entry of name, as unsetenv(3) does.
func unsetenv(env []string, name string) []string {
	if envIndex(env, name) < 0 {
		return env
	}
	var out []string
	for _, kv := range env {
		if !hasName(kv, name) {
			out = append(out, kv)
		}
	}
	return out
}

func envIndex(env []string, name string) int {
	for i, kv := range env {
		if hasName(kv, name) {
			return i
		}
	}
	return -1
}

func hasName(kv, name string) bool {
	return len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name
}

// --- The execvp(3) search ---

// defaultPath is what execvp(3) searches when PATH is unset.
const defaultPath = "/bin:/usr/bin"

// searchPath lists the files execvp(3) would try for name, in order: a
// name with a slash is used as it is; otherwise each element of env's
// PATH, an empty one meaning the current directory.
func searchPath(name string, env []string) []string {
	if hasSlash(name) {
		return []string{name}
	}
	path, ok := getenv(env, "PATH")
	if !ok {
		path = defaultPath
	}
	var files []string
	for {
		dir, rest, more := cut(path, ':')
		if dir == "" {
			files = append(files, name)
		} else {
			files = append(files, dir+"/"+name)
		}
		if !more {
			return files
		}
		path = rest
	}
}

// searchGoesOn tells whether execvp(3) tries the next file after an exec
// that failed with err: a missing file moves on, a permission error too
// (reported only if no later file will do), and any other error ends the
// search.
func searchGoesOn(err error) bool {
	switch err {
	case syscall.EACCES, syscall.ENOENT, syscall.ENOTDIR, syscall.ESTALE, syscall.ENODEV, syscall.ETIMEDOUT:
		return true
	}
	return false
}

func hasSlash(s string) bool {
	_, _, found := cut(s, '/')
	return found
}

// cut slices s around the first sep.
func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// --- The FATAL convention ---

// fatal reports a mistake that stops the command before it serves.
func fatal(err error) {
	writeStderr(progName() + ": FATAL: " + err.Error() + "\n")
	os.Exit(1)
}

// writeStderr writes line to descriptor 2 in one write, so that lines
// from several goroutines do not interleave; a failure is ignored, for
// there is nowhere left to report it.
func writeStderr(line string) {
	for {
		if _, err := syscall.Write(2, []byte(line)); err != syscall.EINTR {
			return
		}
	}
}

// progName is the base name of argv[0], quoted if it needs to be.
func progName() string {
	if len(os.Args) == 0 || os.Args[0] == "" {
		return "tcp-socket-accept"
	}
	name := os.Args[0]
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			name = name[i+1:]
			break
		}
	}
	for i := 0; i < len(name); i++ {
		if name[i] < ' ' || name[i] == 0x7f {
			return strconv.Quote(name)
		}
	}
	return name
}

// quoted is s as it can be read back from a log: in Go quotes if it is
// empty or holds spaces, quotes, control characters or non-ASCII bytes.
func quoted(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f || s[i] == '"' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}
