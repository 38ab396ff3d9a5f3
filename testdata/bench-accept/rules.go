// The -x rounds: tcp-socket-accept -x against tcpserver -x on the same
// rules cdb, compiled by Debian's tcprules, for clients it allows and
// for a flood of clients it denies.

package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchRulesText is a qmail tcp.smtp: relaying for the local host, a
// denied address, a denied network, everyone else allowed.
const benchRulesText = `127.0.0.1:allow,RELAYCLIENT=""
127.0.0.2:deny
10.:deny
192.168.1.1-254:allow,RELAYCLIENT="",LAN="yes"
:allow
`

// benchRules runs the -x rounds and prints their medians. Allowed
// clients connect from 127.0.0.1, denied ones from 127.0.0.2. Each
// server alternates with the others, round by round; tcp-socket-accept
// without -x and tcpserver without -x run beside them, for the cost of
// the rules.
func benchRules(dir, tsl, tsa, hello, tcpserver string) {
	cdb := filepath.Join(dir, "tcp.smtp.cdb")
	compile := exec.Command("tcprules", cdb, cdb+".tmp")
	compile.Stdin = strings.NewReader(benchRulesText)
	out, err := compile.CombinedOutput()
	if err != nil {
		check(fmt.Errorf("tcprules: %v: %s", err, out))
	}
	accept := func(name string, x []string, src string, denied bool) *server {
		argv := append(append([]string{tsl, "-b", "4096", "127.0.0.1", freePort(), tsa}, x...), hello)
		return &server{name: name, argv: argv, env: strings.Fields(*envFlag), src: src, denied: denied}
	}
	tcps := func(name string, x []string, src string, denied bool) *server {
		argv := append(append([]string{tcpserver, "-HRl0"}, x...), "-b", "4096", "-c", "40", "127.0.0.1", freePort(), hello)
		return &server{name: name, argv: argv, src: src, denied: denied}
	}
	x := []string{"-x", cdb}
	allowed := []*server{
		accept("tcp-socket-accept", nil, "127.0.0.1", false),
		accept("tcp-socket-accept -x", x, "127.0.0.1", false),
		tcps("tcpserver", nil, "127.0.0.1", false),
		tcps("tcpserver -x", x, "127.0.0.1", false),
	}
	denied := []*server{
		accept("tcp-socket-accept -x", x, "127.0.0.2", true),
		tcps("tcpserver -x", x, "127.0.0.2", true),
	}
	fmt.Printf("\n-x: the same cdb, compiled by tcprules from %d rules; allowed clients from 127.0.0.1 (RELAYCLIENT set), denied ones from 127.0.0.2\n\n",
		strings.Count(benchRulesText, "\n"))
	a := rulesRounds("allowed", allowed, nil)
	d := rulesRounds("denied", denied, nil)

	fmt.Printf("\n%-28s %10s %10s %10s %14s %20s\n", "-x medians", "conn/s", "p50", "p99", "server CPU/conn", "with its children")
	for _, set := range []struct {
		label   string
		servers []*server
		med     map[string]roundResult
	}{{"allowed", allowed, a}, {"denied", denied, d}} {
		for _, s := range set.servers {
			m := set.med[s.name]
			fmt.Printf("%-28s %10.0f %10v %10v %14v %20v\n", set.label+" "+s.name, m.perSec, m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond),
				(m.cpuPer1k / 1000).Round(100*time.Nanosecond), (m.cpuPer1k/1000 + m.kidsPerConn).Round(100*time.Nanosecond))
		}
	}
	plain, withX := a["tcp-socket-accept"], a["tcp-socket-accept -x"]
	fmt.Printf("\nallowed: tcp-socket-accept -x at %.2f times its conn/s without -x (goal: 1, within noise); tcpserver -x at %.2f times tcpserver's\n",
		withX.perSec/plain.perSec, a["tcpserver -x"].perSec/a["tcpserver"].perSec)
	ours, theirs := d["tcp-socket-accept -x"], d["tcpserver -x"]
	fmt.Printf("denied: tcp-socket-accept -x at %.2f times tcpserver -x's conn/s (goal at least 5), %.1f times less CPU per connection, counting tcpserver's children\n",
		ours.perSec/theirs.perSec, float64(theirs.cpuPer1k/1000+theirs.kidsPerConn)/float64(ours.cpuPer1k/1000+ours.kidsPerConn))
	fmt.Printf("denied, the load generator's CPU per connection: %v against tcp-socket-accept, %v against tcpserver\n",
		ours.clientPerConn.Round(100*time.Nanosecond), theirs.clientPerConn.Round(100*time.Nanosecond))
}

// rulesRounds runs *rounds rounds of servers, alternating, stops them,
// and returns each one's medians; after, if not nil, is called after each
// round, with its server.
func rulesRounds(label string, servers []*server, after func(*server)) map[string]roundResult {
	results := alternate(servers, func(r int, s *server, res roundResult) {
		if after != nil {
			after(s)
		}
		fmt.Printf("round %d %-8s %-21s %8.0f conn/s  p50 %8v  p99 %8v  server CPU %7v per conn, its children %7v, client %7v\n",
			r, label, s.name, res.perSec, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond),
			(res.cpuPer1k / 1000).Round(100*time.Nanosecond), res.kidsPerConn.Round(100*time.Nanosecond), res.clientPerConn.Round(100*time.Nanosecond))
	})
	med := map[string]roundResult{}
	for _, s := range servers {
		s.stop()
		med[s.name] = median(results[s.name])
	}
	return med
}
