// The -h rounds: what looking up each client's name costs, against a
// DNS server of the bench's own on loopback (testkit.DNSServer, in this
// process), which a private mount namespace's /etc/resolv.conf names;
// tcpserver -h, asking the same server ($DNSCACHEIP), beside it.

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// benchDNS is where the bench's DNS server answers.
const benchDNS = "127.53.0.53"

// benchNames runs the -h rounds and prints their medians, or says why
// they cannot run: they need root, for port 53 and the namespace.
func benchNames(dir, tsl, tsa, hello, tcpserver string) {
	fmt.Printf("\n-h: clients from 127.0.0.1, named client.bench.example by a DNS server of the bench's own on %s:53, which confirms the name (-p)\n\n", benchDNS)
	if os.Geteuid() != 0 {
		fmt.Println("-h: not measured: it needs root, for a DNS server on port 53 and a private mount namespace for /etc/resolv.conf")
		return
	}
	dns, err := testkit.ServeDNS(benchDNS+":53", testkit.DNSZone{Answers: map[string][]string{
		"PTR 1.0.0.127.in-addr.arpa.": {"client.bench.example."},
		"A client.bench.example.":     {"127.0.0.1"},
	}})
	if err != nil {
		fmt.Printf("-h: not measured: a DNS server on %s:53: %v\n", benchDNS, err)
		return
	}
	defer dns.Close()
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		fmt.Printf("-h: not measured: unshare (util-linux): %v\n", err)
		return
	}
	etc := filepath.Join(dir, "etc")
	check(os.MkdirAll(etc, 0o755))
	for name, text := range map[string]string{
		"resolv.conf":   "nameserver " + benchDNS + "\n",
		"hosts":         "::1 localhost\n", // 127.0.0.1 is not named here: DNS is asked
		"nsswitch.conf": "hosts: files dns\n",
	} {
		check(os.WriteFile(filepath.Join(etc, name), []byte(text), 0o644))
	}
	// Each server in a namespace where the resolver's files are the
	// bench's; the pid measured is the server's.
	inNamespace := func(argv ...string) []string {
		return testkit.WithEtc(unshare, etc, argv...)
	}
	accept := func(name string, opts ...string) *server {
		argv := append(append([]string{tsl, "-b", "4096", "127.0.0.1", freePort(), tsa}, opts...), hello)
		return &server{name: name, argv: inNamespace(argv...), src: "127.0.0.1"}
	}
	tcps := func(name, opts string) *server {
		argv := []string{tcpserver, opts, "-b", "4096", "-c", "40", "127.0.0.1", freePort(), hello}
		return &server{name: name, argv: inNamespace(argv...), env: []string{"DNSCACHEIP=" + benchDNS}, src: "127.0.0.1"}
	}
	servers := []*server{
		accept("tcp-socket-accept"),
		accept("tcp-socket-accept -h", "-h"),
		accept("tcp-socket-accept -hp", "-hp"),
		tcps("tcpserver -H", "-HRl0"),
		tcps("tcpserver -h", "-hRl0"),
		tcps("tcpserver -hp", "-hpRl0"),
	}
	// The questions each server's round asked, from the count before it.
	asked, questions := dns.AskedAny(), map[string]int{}
	med := rulesRounds("names", servers, func(s *server) {
		n := dns.AskedAny()
		questions[s.name] += n - asked
		asked = n
	})
	fmt.Printf("\n%-24s %10s %10s %10s %14s %20s %15s\n", "-h medians", "conn/s", "p50", "p99", "server CPU/conn", "with its children", "questions/conn")
	for _, s := range servers {
		m := med[s.name]
		fmt.Printf("%-24s %10.0f %10v %10v %14v %20v %15.2f\n", s.name, m.perSec, m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond),
			(m.cpuPer1k / 1000).Round(100*time.Nanosecond), (m.cpuPer1k/1000 + m.kidsPerConn).Round(100*time.Nanosecond),
			float64(questions[s.name])/float64(*conns**rounds))
	}
	cost := func(with, without string) {
		a, b := med[with], med[without]
		fmt.Printf("%s costs %v of server CPU and %v of p50 latency per connection more than %s (%v more counting its children)\n",
			with, ((a.cpuPer1k - b.cpuPer1k) / 1000).Round(100*time.Nanosecond), (a.p50 - b.p50).Round(time.Microsecond), without,
			((a.cpuPer1k/1000 + a.kidsPerConn) - (b.cpuPer1k/1000 + b.kidsPerConn)).Round(100*time.Nanosecond))
	}
	fmt.Println()
	cost("tcp-socket-accept -h", "tcp-socket-accept")
	cost("tcp-socket-accept -hp", "tcp-socket-accept")
	cost("tcpserver -h", "tcpserver -H")
	cost("tcpserver -hp", "tcpserver -H")
	fmt.Println("the DNS server runs in the load generator: its CPU is the client's")
}
