//go:build linux

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// The run scripts of examples/tcpserver, which the manual's MIGRATING
// FROM TCPSERVER shows: each service as tcpserver's users run it
// (run.tcpserver) and as it moves to the pair (run), both run end to
// end, with Debian's programs where Debian has them (axfrdns, tinydns,
// rblsmtpd, tcprules, softlimit, envdir, envuidgid, multilog) and a
// stand-in where it does not (qmail-smtpd, publicfile's ftpd), on a port
// of the test's own: the clients must not tell them apart.

// service makes a service directory, readable by every user (the
// servers drop to nobody), holding the example's script as ./run, with
// each of subst's pairs replaced, and returns it.
func service(t *testing.T, example, script string, subst ...string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "service")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	text := readExample(t, example, script)
	for i := 0; i+1 < len(subst); i += 2 {
		if !strings.Contains(text, subst[i]) {
			t.Fatalf("examples/tcpserver/%s/%s has no %q", example, script, subst[i])
		}
		text = strings.Replace(text, subst[i], subst[i+1], -1)
	}
	writeFile(t, filepath.Join(dir, "run"), text, 0o755)
	return dir
}

func readExample(t *testing.T, example, script string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", "tcpserver", example, script))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, name, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(name, mode); err != nil {
		t.Fatal(err)
	}
}

// pairPath is a PATH in which the run scripts find the pair as built for
// the tests, then the system's programs.
func pairPath(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, b := range []string{tslBinary, tsaBinary} {
		if err := os.Symlink(b, filepath.Join(dir, filepath.Base(b))); err != nil {
			t.Fatal(err)
		}
	}
	return dir + ":" + os.Getenv("PATH")
}

// needPrograms skips the test, saying why, without Debian's programs
// it runs: each name, from its package.
func needPrograms(t *testing.T, names ...string) {
	t.Helper()
	for i := 0; i+1 < len(names); i += 2 {
		testkit.SystemProgram(t, names[i], names[i+1])
	}
}

// TestMigrateAxfrdns: axfrdns's run script, as axfrdns-conf writes it,
// and moved; axfr-get, through tcpclient, gets the same zone from each,
// from the address that tcp.cdb allows with AXFR, and nothing from one
// it denies, or for a zone that AXFR does not list.
func TestMigrateAxfrdns(t *testing.T) {
	needPrograms(t, "axfrdns-conf", "djbdns-conf", "axfrdns", "axfrdns", "tinydns-data", "tinydns", "axfr-get", "axfrdns",
		"tcpclient", "ucspi-tcp", "tcprules", "ucspi-tcp", "envdir", "daemontools", "softlimit", "daemontools")
	if os.Geteuid() != 0 {
		t.Skip("needs root: axfrdns chroots to its ROOT and drops to the user axfrdns")
	}
	// The script that axfrdns-conf writes is the example's run.tcpserver.
	conf := filepath.Join(t.TempDir(), "axfrdns")
	if out, err := exec.Command("axfrdns-conf", "axfrdns", "nobody", conf, "/etc/tinydns", "127.0.0.1").CombinedOutput(); err != nil {
		t.Skipf("axfrdns-conf axfrdns nobody ...: %v: %s (the user axfrdns comes with Debian's axfrdns)", err, out)
	}
	written, err := os.ReadFile(filepath.Join(conf, "run"))
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != readExample(t, "axfrdns", "run.tcpserver") {
		t.Errorf("axfrdns-conf writes\n%s\nexamples/tcpserver/axfrdns/run.tcpserver is\n%s", written, readExample(t, "axfrdns", "run.tcpserver"))
	}
	// tinydns's data, compiled.
	root, err := os.MkdirTemp("", "tinydns")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	writeFile(t, filepath.Join(root, "data"), ".example.org:127.0.0.1:a:259200\n+www.example.org:192.0.2.80\n.other.org:127.0.0.1:a:259200\n", 0o644)
	if out, err := runIn(root, "tinydns-data"); err != nil {
		t.Fatalf("tinydns-data: %v: %s", err, out)
	}
	path := pairPath(t)
	zones := map[string]string{}
	for _, script := range []string{"run.tcpserver", "run"} {
		port := testkit.FreePortOn(t, "127.0.0.1")
		svc := service(t, "axfrdns", script, " 53 ", " "+port+" ")
		writeFile(t, filepath.Join(svc, "env", "IP"), "127.0.0.1\n", 0o644)
		writeFile(t, filepath.Join(svc, "env", "ROOT"), root+"\n", 0o644)
		writeFile(t, filepath.Join(svc, "tcp"), "127.0.0.1:allow,AXFR=\"example.org\"\n:deny\n", 0o644)
		if out, err := runIn(svc, "sh", "-c", "tcprules tcp.cdb tcp.tmp < tcp"); err != nil {
			t.Fatalf("tcprules: %v: %s", err, out)
		}
		s := start(t, serverSpec{argv: []string{"/bin/sh", "./run"}, dir: svc, path: path, logOut: true})
		waitListening(t, port)
		out := t.TempDir()
		get := func(src, zone string) (string, error) {
			return runIn(out, "tcpclient", "-RHl0", "-i", src, "127.0.0.1", port, "axfr-get", zone, zone+".zone", zone+".tmp")
		}
		if msg, err := get("127.0.0.1", "example.org"); err != nil {
			t.Fatalf("%s: axfr-get example.org: %v: %s; log:\n%s", script, err, msg, s.log())
		}
		zone, err := os.ReadFile(filepath.Join(out, "example.org.zone"))
		if err != nil {
			t.Fatal(err)
		}
		zones[script] = string(zone)
		if !strings.Contains(string(zone), "+www.example.org:192.0.2.80:") {
			t.Errorf("%s: the zone axfr-get wrote has no www.example.org:\n%s", script, zone)
		}
		if msg, err := get("127.0.0.1", "other.org"); err == nil {
			t.Errorf("%s: axfr-get other.org, which AXFR does not list, succeeded: %s", script, msg)
		}
		if msg, err := get("127.0.0.2", "example.org"); err == nil {
			t.Errorf("%s: axfr-get from 127.0.0.2, which tcp.cdb denies, succeeded: %s", script, msg)
		}
		s.kill()
	}
	if zones["run"] != zones["run.tcpserver"] {
		t.Errorf("the zone through the pair:\n%s\nthrough tcpserver:\n%s", zones["run"], zones["run.tcpserver"])
	}
}

// runIn runs argv in dir and returns its output.
func runIn(dir string, argv ...string) (string, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// smtpStandIn stands in for qmail-smtpd: a greeting that says what
// qmail-smtpd would write in its Received header, and who it runs as,
// from the shell's builtins alone (it runs under softlimit -m).
const smtpStandIn = `#!/bin/sh
while read -r k v rest; do
  case $k in Uid:) uid=$v;; Gid:) gid=$v;; esac
done < /proc/self/status
printf '220 %s stand-in ESMTP for %s [%s], uid %s gid %s%s\r\n' "$TCPLOCALHOST" "${TCPREMOTEHOST-unknown}" "$TCPREMOTEIP" "$uid" "$gid" "${RELAYCLIENT+, relaying}"
while read -r line; do
  case $line in
  QUIT*) printf '221 bye\r\n'; exit 0;;
  *) printf '250 ok\r\n';;
  esac
done
`

// smtpRules are tcp.smtp's rules: the local client relays, a client
// listed by address is refused for good by rblsmtpd, one of a domain by
// name is served, and the rest are told to try later.
const smtpRules = `127.0.0.1:allow,RELAYCLIENT="",RBLSMTPD=""
127.0.0.3:allow,RBLSMTPD="-Listed by a rule: go away."
=.example.org:allow,RBLSMTPD=""
:allow,RBLSMTPD="Not welcome yet: try later."
`

// TestMigrateQmailSmtpd: qmail-smtpd behind rblsmtpd, as "Life with
// qmail" runs it (softlimit -m raised to 5000000, which Debian's
// programs need, from 2000000), and moved: the same conversation with
// each client, RBLSMTPD from the rules, =.example.org matched by the
// name that -h looks up (tcpserver's default), TCPLOCALHOST from -l, and
// the child run as -u and -g say.
func TestMigrateQmailSmtpd(t *testing.T) {
	needPrograms(t, "tcpserver", "ucspi-tcp", "rblsmtpd", "ucspi-tcp", "tcprules", "ucspi-tcp", "envdir", "daemontools", "softlimit", "daemontools")
	path := pairPath(t)
	talks := map[string][]string{}
	for _, script := range []string{"run.tcpserver", "run"} {
		port := testkit.FreePortOn(t, "127.0.0.1")
		svc := service(t, "qmail-smtpd", script, `"$IP" smtp`, `"$IP" `+port, "/var/qmail/bin/qmail-smtpd", "./qmail-smtpd")
		for name, value := range map[string]string{"IP": "127.0.0.1", "LOCAL": "mail.example.net", "MAXSMTPD": "20", "QMAILDUID": "65534", "NOFILESGID": "65534"} {
			writeFile(t, filepath.Join(svc, "env", name), value+"\n", 0o644)
		}
		writeFile(t, filepath.Join(svc, "qmail-smtpd"), smtpStandIn, 0o755)
		writeFile(t, filepath.Join(svc, "tcp.smtp"), smtpRules, 0o644)
		if out, err := runIn(svc, "sh", "-c", "tcprules tcp.smtp.cdb tcp.smtp.tmp < tcp.smtp && chmod 644 tcp.smtp.cdb"); err != nil {
			t.Fatalf("tcprules: %v: %s", err, out)
		}
		argv, _ := nameSandbox(t, "timeout:5", "/bin/sh", "./run")
		s := start(t, serverSpec{argv: argv, dir: svc, path: path, logOut: true})
		waitListening(t, port)
		for _, src := range []string{"127.0.0.2", "127.0.0.3", "127.0.0.5"} {
			talks[script] = append(talks[script], src+":\n"+smtpTalk(t, src, port))
		}
		s.kill()
	}
	ours, theirs := strings.Join(talks["run"], "\n"), strings.Join(talks["run.tcpserver"], "\n")
	if ours != theirs {
		t.Errorf("through the pair:\n%s\nthrough tcpserver:\n%s", ours, theirs)
	}
	for _, want := range []string{
		"220 mail.example.net stand-in ESMTP for client-two.example.org [127.0.0.2], uid 65534 gid 65534\r\n",
		"553 Listed by a rule: go away.",
		"451 Not welcome yet: try later.",
	} {
		if !strings.Contains(ours, want) {
			t.Errorf("through the pair, no %q in:\n%s", want, ours)
		}
	}
}

// smtpTalk is what the server at port says to a client from src that
// greets, names a sender and a recipient, and quits.
func smtpTalk(t *testing.T, src, port string) string {
	t.Helper()
	c := dialFrom(t, src, "127.0.0.1:"+port)
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(c)
	var talk strings.Builder
	for _, cmd := range []string{"", "HELO client.example\r\n", "MAIL FROM:<a@client.example>\r\n", "RCPT TO:<b@mail.example.net>\r\n", "QUIT\r\n"} {
		if cmd != "" {
			c.Write([]byte(cmd))
		}
		// A reply: lines up to one whose code is followed by a space.
		for {
			line, err := r.ReadString('\n')
			talk.WriteString(line)
			if err != nil || len(line) < 4 || line[3] == ' ' {
				break
			}
		}
	}
	return talk.String()
}

// ftpdStandIn stands in for publicfile's ftpd, which writes no greeting
// of its own: the server's -B banner is it.
const ftpdStandIn = `#!/bin/sh
while read -r cmd arg; do
  case $cmd in
  USER*) printf '230 Hi. No need to log in; I am an anonymous ftp server.\r\n';;
  QUIT*) printf '221 Bye.\r\n'; exit 0;;
  *) printf '502 Unimplemented.\r\n';;
  esac
done
`

// TestMigrateFtpd: publicfile's ftpd, as its ftpd-conf runs it (softlimit
// -d raised to 400000, which Debian's programs need, from 50000), and
// moved: the banner comes first, before the client says anything, then
// ftpd; and its log/run, multilog keeping the last status line, finds
// tcpserver's status lines in --log-format tcpserver.
func TestMigrateFtpd(t *testing.T) {
	needPrograms(t, "tcpserver", "ucspi-tcp", "envuidgid", "daemontools", "softlimit", "daemontools", "multilog", "daemontools")
	path := pairPath(t)
	logRun := readExample(t, "ftpd", "log/run")
	talks := map[string]string{}
	for _, script := range []string{"run.tcpserver", "run"} {
		port := testkit.FreePortOn(t, "127.0.0.1")
		svc := service(t, "ftpd", script, " 0 21 ", " 127.0.0.1 "+port+" ", "envuidgid ftp ", "envuidgid nobody ", "/usr/local/publicfile/bin/ftpd", "./ftpd")
		writeFile(t, filepath.Join(svc, "ftpd"), ftpdStandIn, 0o755)
		writeFile(t, filepath.Join(svc, "log", "run"), strings.Replace(logRun, "setuidgid ftplog ", "", 1), 0o755)
		s := start(t, serverSpec{argv: []string{"/bin/sh", "-c", "./run | (cd log && exec ./run)"}, dir: svc, path: path})
		waitListening(t, port)
		c := dial(t, "127.0.0.1:"+port)
		r := bufio.NewReader(c)
		banner, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: no banner: %v", script, err)
		}
		c.Write([]byte("USER anonymous\r\nQUIT\r\n"))
		rest, _ := readAllFrom(r)
		c.Close()
		talks[script] = banner + rest
		// The status line once the child has ended.
		status := filepath.Join(svc, "log", "status")
		var got string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			b, _ := os.ReadFile(status)
			if got = strings.TrimRight(string(b), " \n\x00"); strings.HasSuffix(got, "status: 0/40") {
				break
			}
		}
		if !strings.HasSuffix(got, "tcpserver: status: 0/40") {
			t.Errorf("%s: multilog's status file holds %q; want tcpserver's status line", script, got)
		}
		s.kill()
	}
	want := "220 Features: a p .\r\n230 Hi. No need to log in; I am an anonymous ftp server.\r\n221 Bye.\r\n"
	if talks["run"] != want || talks["run.tcpserver"] != want {
		t.Errorf("through the pair: %q\nthrough tcpserver: %q\nwant %q", talks["run"], talks["run.tcpserver"], want)
	}
}

func readAllFrom(r *bufio.Reader) (string, error) {
	var b strings.Builder
	_, err := r.WriteTo(&b)
	return b.String(), err
}

// TestManualShowsRunScripts: MIGRATING FROM TCPSERVER in the manual
// shows each run script of examples/tcpserver as the file holds it, the
// one that the tests run, with ^M for a carriage return.
func TestManualShowsRunScripts(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "man", "tcp-socket-accept.1"))
	if err != nil {
		t.Fatal(err)
	}
	man := string(b)
	start := strings.Index(man, ".SH \"MIGRATING FROM TCPSERVER\"")
	if start < 0 {
		t.Fatal("no MIGRATING FROM TCPSERVER in the manual")
	}
	chapter := man[start:]
	if end := strings.Index(chapter[1:], "\n.SH "); end >= 0 {
		chapter = chapter[:end+1]
	}
	shown := map[string]bool{}
	for _, block := range strings.Split(chapter, "\n.EX\n")[1:] {
		block = block[:strings.Index(block, "\n.EE\n")]
		text := strings.NewReplacer(`\-`, "-", `\e`, `\`, `\(aq`, "'", `\&`, "").Replace(block)
		shown[text+"\n"] = true
	}
	for _, f := range []string{"axfrdns/run.tcpserver", "axfrdns/run", "qmail-smtpd/run.tcpserver", "qmail-smtpd/run", "ftpd/run.tcpserver", "ftpd/run"} {
		dir, script := filepath.Split(f)
		text := strings.Replace(readExample(t, filepath.Clean(dir), script), "\r", "^M", -1)
		if !shown[text] {
			t.Errorf("the manual does not show examples/tcpserver/%s as it is:\n%s", f, text)
		}
	}
	if len(shown) != 6 {
		t.Errorf("the chapter shows %d scripts; want the 6 of examples/tcpserver", len(shown))
	}
}

// TestSoftlimit: under softlimit -d400000, as axfrdns-conf puts it
// before tcpserver, the pair cannot start, the Go runtime failing before
// main; after tcp-socket-accept, before the program, the limit is the
// program's own.
func TestSoftlimit(t *testing.T) {
	softlimit := testkit.SystemProgram(t, "softlimit", "daemontools")
	before := start(t, serverSpec{argv: []string{softlimit, "-d400000", tslBinary, "127.0.0.1", "0", tsaBinary, "cat"}})
	st := before.waitExit()
	if st.Success() || strings.Contains(before.log(), "tcp-socket-") {
		t.Errorf("under softlimit -d400000: %v, stderr:\n%s\nwant the runtime's failure before main", st, before.log())
	}
	l, addr := listener(t, "127.0.0.1", -1)
	start(t, serverSpec{argv: []string{tsaBinary, "softlimit", "-d400000", "sh", "-c", "grep '^Max data size' /proc/self/limits"}, files: []*os.File{l}})
	c := dial(t, addr)
	out, _ := readAll(c)
	c.Close()
	if f := strings.Fields(out); len(f) < 5 || f[3] != "400000" {
		t.Errorf("the program's limit: %q; want softlimit's 400000", out)
	}
}
