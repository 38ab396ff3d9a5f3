// Command bench-accept measures tcp-socket-accept, behind
// tcp-socket-listen, against Debian's tcpserver from ucspi-tcp: both
// serve a tiny static C program that writes a line and exits, and a load
// of clients, so many in flight, connects and reads to the end. Servers
// alternate round by round, so that a noisy machine slows them alike.
//
// Run it from the top of the tree with make bench, which builds
// ./tcp-socket-listen and tcp-socket-accept/tcp-socket-accept first.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"tcp-socket-listen/internal/machine"
)

var (
	conns    = flag.Int("n", 3000, "connections per round")
	inFlight = flag.Int("inflight", 20, "connections in flight")
	rounds   = flag.Int("rounds", 3, "rounds per server")
	held     = flag.Int("held", 40, "connections held open for the thread and RSS count")
	limit    = flag.Int("limit", 40, "each server's connection limit (-c, and s6-tcpserverd's -C): at least -held")
	tsaArgs  = flag.String("accept-args", "", "space-separated options added to every tcp-socket-accept's, such as -v")
	noLibc   = flag.Bool("nolibc", false, "serve testdata/hello-nolibc.c instead of hello.c, so that the children's own start-up weighs less (x86-64)")
	envFlag  = flag.String("env", "", "space-separated NAME=VALUE settings added to tcp-socket-accept's environment, such as GOMAXPROCS=1")
	rules    = flag.Bool("rules", true, "also measure -x rules, allowed and denied clients, against tcpserver -x (rules.go)")
	peers    = flag.String("peers", "../shared/peers", "directory of s6-networking's s6-tcpserver-socketbinder and s6-tcpserverd, measured beside when there (peers.go)")
	perTask  = flag.Bool("threads", true, "also show, thread by thread over one round, where tcp-socket-accept's and s6-tcpserverd's CPU time and sleeps go")
	names    = flag.Bool("names", true, "also measure -h and -hp against a DNS server of the bench's own, beside tcpserver -h (names.go; root only)")
	builds   = flag.String("builds", "", "comma-separated directories holding both commands built by other toolchains (make toolchains' toolchains/NAME), served beside this build")
)

// server is one server under test.
type server struct {
	name string
	argv []string // ends with next-prog; "hold" is added for the held phase
	env  []string // added to PATH
	addr string
	proc *os.Process
	// For the -x rounds: the client's address, bound before connect,
	// and whether the server closes the connection at once.
	src    string
	denied bool
}

// roundResult is one round's measures.
type roundResult struct {
	perSec   float64
	p50, p99 time.Duration
	cpuPer1k time.Duration
	idle     float64 // the machine's idle share during the round
	// What the rest of the machine spent per connection: the children
	// the server reaped (exec, run, exit, the connection's close), and
	// this load generator.
	kidsPerConn, clientPerConn time.Duration
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "tsa-bench-")
	check(err)
	defer os.RemoveAll(dir)
	tsl, err := filepath.Abs("tcp-socket-listen")
	check(err)
	tsa, err := filepath.Abs("tcp-socket-accept/tcp-socket-accept")
	check(err)
	hello := filepath.Join(dir, "hello")
	if *noLibc {
		run("gcc", "-static", "-nostdlib", "-O2", "-s", "-o", hello, "testdata/hello-nolibc.c")
	} else {
		run("gcc", "-static", "-O2", "-s", "-o", hello, "testdata/hello.c")
	}
	tcpserver, err := exec.LookPath("tcpserver")
	check(err)

	fmt.Println(machine.Describe())
	fmt.Printf("%d connections per round, %d in flight, %d rounds each, alternating\n\n", *conns, *inFlight, *rounds)

	servers := []*server{
		{name: "tcp-socket-accept", argv: acceptArgv(tsl, tsa, hello), env: strings.Fields(*envFlag)},
		{name: "tcpserver", argv: []string{tcpserver, "-HRl0", "-b", "4096", "-c", strconv.Itoa(*limit), "127.0.0.1", freePort(), hello}},
	}
	s6, why := s6Server(*peers, hello, *limit)
	if s6 != nil {
		servers = append(servers, s6)
		fmt.Printf("s6-tcpserverd from %s\n\n", *peers)
	} else {
		fmt.Printf("s6-tcpserverd: not measured: %s\n\n", why)
	}
	if *builds != "" {
		for _, d := range strings.Split(*builds, ",") {
			servers = append(servers, &server{name: "tsa " + filepath.Base(d), env: strings.Fields(*envFlag),
				argv: acceptArgv(filepath.Join(d, "tcp-socket-listen"), filepath.Join(d, "tcp-socket-accept"), hello)})
		}
	}
	results := alternate(servers, func(r int, s *server, res roundResult) {
		fmt.Printf("round %d %-18s %8.0f conn/s  p50 %8v  p99 %8v  CPU %8v per 1000  machine idle %3.0f%%  per conn: children %6v client %6v\n",
			r, s.name, res.perSec, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), res.cpuPer1k.Round(time.Microsecond), 100*res.idle,
			res.kidsPerConn.Round(time.Microsecond), res.clientPerConn.Round(time.Microsecond))
	})
	peak := map[string]int{}
	for _, s := range servers {
		peak[s.name] = status(s.proc.Pid, "VmHWM")
		s.stop()
	}
	fmt.Println()
	fmt.Printf("%-18s %10s %10s %10s %12s %10s %10s %8s\n", "medians", "conn/s", "p50", "p99", "CPU/1000", "peak RSS", "RSS@held", "threads")
	med := map[string]roundResult{}
	for _, s := range servers {
		m := median(results[s.name])
		med[s.name] = m
		s.start([]string{"hold"})
		rss, threads := s.holdOpen(*held)
		s.stop()
		fmt.Printf("%-18s %10.0f %10v %10v %12v %8d KB %7d KB %8d\n", s.name, m.perSec,
			m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond), m.cpuPer1k.Round(time.Microsecond), peak[s.name], rss, threads)
	}
	a, b := med["tcp-socket-accept"], med["tcpserver"]
	fmt.Printf("\nconn/s ratio %.2f (goal at least 1.5); p99 ratio %.2f (goal at most 1.0)\n",
		a.perSec/b.perSec, float64(a.p99)/float64(b.p99))
	if s6 != nil {
		c := med["s6-tcpserverd"]
		fmt.Printf("against s6-tcpserverd: server CPU per connection %.2f times (goal at most 1.3), conn/s %.2f (goal at least 1), p99 %.2f (goal at most 1.2); peak RSS %d against %d KB (goal at most 3,584), threads above\n",
			float64(a.cpuPer1k)/float64(c.cpuPer1k), a.perSec/c.perSec, float64(a.p99)/float64(c.p99), peak["tcp-socket-accept"], peak["s6-tcpserverd"])
	}
	// What a server that cost nothing could reach on this machine: the
	// machine's busy time per connection under tcpserver, less
	// tcpserver's own, shared by the same CPUs.
	perConn := time.Duration(float64(runtime.NumCPU()) * (1 - b.idle) / b.perSec * float64(time.Second))
	rest := perConn - b.cpuPer1k/1000
	fmt.Printf("machine CPU per connection under tcpserver %v, of which tcpserver's %v: a server costing nothing would reach %.0f conn/s here, %.2f times tcpserver\n",
		perConn.Round(time.Microsecond), (b.cpuPer1k / 1000).Round(time.Microsecond),
		float64(runtime.NumCPU())/rest.Seconds(), float64(runtime.NumCPU())/rest.Seconds()/b.perSec)
	// The same bound from what was measured directly, which other work on
	// a shared machine does not inflate. Per connection, the children's
	// CPU time and the load generator's are spent whatever the server;
	// while the machine is the limit, the rate goes as the inverse of the
	// CPU time per connection, so a server costing nothing would gain on
	// tcpserver no more than tcpserver's share of that time.
	fixed := b.kidsPerConn + b.clientPerConn
	fmt.Printf("per connection under tcpserver: children %v, load generator %v, tcpserver %v: a server costing nothing would reach at most %.2f times tcpserver; 1.5 needs children and load generator under %v\n",
		b.kidsPerConn.Round(time.Microsecond), b.clientPerConn.Round(time.Microsecond), (b.cpuPer1k / 1000).Round(time.Microsecond),
		float64(fixed+b.cpuPer1k/1000)/float64(fixed), (2 * b.cpuPer1k / 1000).Round(time.Microsecond))
	if *perTask {
		perThread(servers[0])
		if s6 != nil {
			perThread(s6)
		}
	}
	if *rules {
		benchRules(dir, tsl, tsa, hello, tcpserver)
	}
	if *names {
		benchNames(dir, tsl, tsa, hello, tcpserver)
	}
}

// acceptArgv runs tcp-socket-accept tsa behind tcp-socket-listen tsl, with
// -accept-args and -limit, serving next.
func acceptArgv(tsl, tsa, next string) []string {
	argv := append([]string{tsl, "-b", "4096", "127.0.0.1", freePort(), tsa}, strings.Fields(*tsaArgs)...)
	return append(argv, "-c", strconv.Itoa(*limit), next)
}
