//go:build linux

package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"tcp-socket-listen/internal/testkit"
)

// fails checks that s ended at start with status 1 and one FATAL line
// holding want.
func fails(t *testing.T, s *running, want string) {
	t.Helper()
	st := s.waitExit()
	<-s.done
	log := s.log()
	if st.ExitCode() != 1 || strings.Count(log, "\n") != 1 || !strings.HasPrefix(log, "tcp-socket-accept: FATAL: ") || !strings.Contains(log, want) {
		t.Errorf("exit %d, stderr %q; want status 1 and one FATAL line with %q", st.ExitCode(), log, want)
	}
}

func TestBadOptions(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing next-prog"},
		{[]string{"-v"}, "missing next-prog"},
		{[]string{"--"}, "missing next-prog"},
		{[]string{"-c", "0", "cat"}, `-c 0: must be at least 1`},
		{[]string{"-c", "-1", "cat"}, `-c -1: negative number`},
		{[]string{"-c", "4x", "cat"}, `-c 4x: junk after number`},
		{[]string{"-c", "", "cat"}, `-c "": not a number`},
		{[]string{"-c", "0x80000000", "cat"}, "number out of range"},
		{[]string{"-c", "99999999999999999999999", "cat"}, "number out of range"},
		{[]string{"--connection-limit=08", "cat"}, "junk after number"},
		{[]string{"-C", "0", "cat"}, `-C 0: must be at least 1`},
		{[]string{"--per-host-limit", "-2", "cat"}, "negative number"},
		{[]string{"-c"}, "-c: missing option argument"},
		{[]string{"-l"}, "-l: missing option argument"},
		{[]string{"--localname"}, "--localname: missing option argument"},
		{[]string{"-y", "cat"}, "-y: unknown option"},
		{[]string{"-vy", "cat"}, "-y: unknown option"},
		{[]string{"-x", "cat"}, "missing next-prog"},
		{[]string{"-x"}, "-x: missing option argument"},
		{[]string{"-x", "", "cat"}, `-x "": must not be empty`},
		{[]string{"--rules=", "cat"}, `--rules "": must not be empty`},
		{[]string{"--rules-optional=1", "cat"}, "--rules-optional=1: option takes no argument"},
		{[]string{"--verbose=1", "cat"}, "--verbose=1: option takes no argument"},
		{[]string{"--help=1", "cat"}, "option takes no argument"},
		{[]string{"--bogus", "cat"}, "--bogus: unknown option"},
		{[]string{"-B", strings.Repeat("x", 2049), "cat"}, "2049 bytes; at most 2048, which any new connection can take at once"},
		// tcpserver's ident options.
		{[]string{"-vr", "cat"}, "-r: not supported: the server asks no ident server (RFC 1413) for TCPREMOTEINFO; use -R, or leave the option out"},
		{[]string{"-t", "26", "cat"}, "-t 26: not supported: the server asks no ident server"},
		{[]string{"-Rt26", "cat"}, "-t 26: not supported"},
		{[]string{"--remote-info", "cat"}, "--remote-info: not supported"},
	}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		if len(name) > 64 {
			// Go 1.19's t.TempDir names a directory after the test.
			name = name[:64]
		}
		t.Run(name, func(t *testing.T) {
			l, _ := listener(t, "127.0.0.1", -1)
			s := start(t, serverSpec{argv: append([]string{tsaBinary}, c.args...), files: []*os.File{l}})
			fails(t, s, c.want)
		})
	}
}

func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-?"}, {"-v?"}, {"--usage"}, {"-c", "3", "--usage", "-x"}} {
		out, err := os.CreateTemp(t.TempDir(), "out")
		if err != nil {
			t.Fatal(err)
		}
		p, err := os.StartProcess(tsaBinary, append([]string{tsaBinary}, args...), &os.ProcAttr{Files: []*os.File{nil, out, out}})
		if err != nil {
			t.Fatal(err)
		}
		st, _ := p.Wait()
		data, _ := os.ReadFile(out.Name())
		out.Close()
		var c config
		want := c.grammar().usageLine("tcp-socket-accept")
		if args[0] != "--usage" && args[len(args)-1] != "-x" {
			want = c.grammar().helpText("tcp-socket-accept")
		}
		if st.ExitCode() != 0 || string(data) != want {
			t.Errorf("%q: exit %d, output %q; want 0 and %q", args, st.ExitCode(), data, want)
		}
	}
}

// TestListenerErrors: each way descriptor 3 (or a later one) can fail to
// be a listening TCP socket is one line naming it and what is wrong.
func TestListenerErrors(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "file"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udpFile, _ := udp.(*net.UDPConn).File()
	defer udpFile.Close()
	unconnected, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	notListening := os.NewFile(uintptr(unconnected), "tcp")
	defer notListening.Close()
	unix, err := net.Listen("unix", filepath.Join(t.TempDir(), "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close()
	unixFile, _ := unix.(*net.UnixListener).File()
	defer unixFile.Close()
	good, _ := listener(t, "127.0.0.1", -1)

	cases := []struct {
		name  string
		files []*os.File
		env   []string
		want  string
	}{
		{"closed", nil, nil, "descriptor 3: not open (run tcp-socket-accept after tcp-socket-listen, which puts a listening socket there, or with LISTEN_FDS and LISTEN_PID)\n"},
		{"file", []*os.File{file}, nil, "descriptor 3: not a socket"},
		{"udp", []*os.File{udpFile}, nil, "descriptor 3: not a stream socket"},
		{"not listening", []*os.File{notListening}, nil, "descriptor 3: socket is not listening"},
		{"unix", []*os.File{unixFile}, nil, "descriptor 3: not a TCP socket"},
		{"LISTEN_FDS=0", []*os.File{good}, []string{"LISTEN_FDS=0"}, "LISTEN_FDS is 0"},
		{"LISTEN_FDS=2, 4 closed", []*os.File{good}, []string{"LISTEN_FDS=2"}, "descriptor 4: not open"},
		{"LISTEN_FDS=3, 5 a file", []*os.File{good, good, file}, []string{"LISTEN_FDS=3"}, "descriptor 5: not a socket"},
		{"LISTEN_FDS=0x7ffffffc", []*os.File{good}, []string{"LISTEN_FDS=0x7ffffffc"}, "descriptor 4: not open"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := start(t, serverSpec{argv: testkit.AsOwnPid(tsaBinary, "cat"), files: c.files, env: c.env})
			fails(t, s, c.want)
		})
	}
	// With a non-blocking standard input, the runtime opens its poller
	// before main, in the lowest free slot: a closed 3 is still "not open".
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	launched := []string{testkit.ProbePath(), tsaBinary, "cat"}
	fails(t, start(t, serverSpec{argv: launched, stdin: pr, env: []string{"PROBE_LAUNCH=nonblocking-stdin"}}), "descriptor 3: not open")
	// A LISTEN_PID of another process, or junk, means descriptor 3 alone.
	for _, argv := range [][]string{{tsaBinary, "cat"}, testkit.AsOwnPid(tsaBinary, "cat")} {
		s := start(t, serverSpec{argv: argv, files: []*os.File{file}, env: []string{"LISTEN_FDS=junk", "LISTEN_PID=1"}})
		fails(t, s, "descriptor 3: not a socket")
	}
}
