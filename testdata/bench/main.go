// Command bench measures tcp-socket-listen against testdata/minimal, a Go
// program that makes the same system calls and nothing more, and against
// a static true: commands alternate (A B C A B C ...), so that a noisy
// machine slows them alike, and medians are compared as ratios.
//
// Run it from the top of the tree with make bench, which builds
// ./tcp-socket-listen first.
package main

import (
	"debug/buildinfo"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"tcp-socket-listen/internal/machine"
)

var (
	runs    = flag.Int("n", 300, "runs of each command")
	host    = flag.String("host", "localhost", "host name for the resolver path")
	service = flag.String("service", "x11", "service name for the resolver path (its port must be free)")
	builds  = flag.String("builds", "", "comma-separated directories holding tcp-socket-listen built by other toolchains (make toolchains' toolchains/NAME), measured beside this one")
)

// sample is one run's wall time and peak resident set.
type sample struct {
	wall  time.Duration
	rssKB int64
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "tsl-bench-")
	check(err)
	defer os.RemoveAll(dir)
	// Both programs run from the same directory: measured here, where
	// a binary is executed from moves its start-up by a few per cent.
	built, err := os.ReadFile("tcp-socket-listen")
	check(err)
	tsl := filepath.Join(dir, "tcp-socket-listen")
	check(os.WriteFile(tsl, built, 0o755))
	minimal := filepath.Join(dir, "minimal")
	// With the go command that make passes, which built tcp-socket-listen.
	goCmd := os.Getenv("GO")
	if goCmd == "" {
		goCmd = "go"
	}
	run(goCmd, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w -buildid=", "-o", minimal, "./testdata/minimal")
	strue := filepath.Join(dir, "true")
	run("gcc", "-static", "-O2", "-s", "-o", strue, "testdata/true.c")

	fmt.Printf("%s; %d runs each, alternating; medians\n\n", machine.Describe(), *runs)

	one := compare("one chain-load, 127.0.0.1 0",
		[]string{tsl, "127.0.0.1", "0", strue},
		[]string{minimal, "127.0.0.1", "0", strue},
		[]string{strue})
	compare("resolver path, "+*host+" "+*service,
		[]string{tsl, *host, *service, strue},
		[]string{minimal, *host, *service, strue},
		nil)

	fmt.Println("chains with --systemd-compatibility")
	var chains [][]string
	for _, k := range []int{1, 4, 16} {
		var argv []string
		for i := 0; i < k; i++ {
			argv = append(argv, tsl, "--systemd-compatibility", "127.0.0.1", "0")
		}
		chains = append(chains, append(argv, strue))
	}
	med := alternate(chains...)
	for i, k := range []int{1, 4, 16} {
		fmt.Printf("  %2d listeners  %8v\n", k, med[i].wall)
	}
	per4 := (med[1].wall - med[0].wall) / 3
	per16 := (med[2].wall - med[0].wall) / 15
	fmt.Printf("  per listener: %v (1 to 4), %v (1 to 16): ratio %.2f (1.00 is linear)\n\n",
		per4, per16, float64(per16)/float64(per4))

	fmt.Println("size and peak RSS (rusage maxrss, as /usr/bin/time -f %M reports)")
	ts, ms := size(tsl), size(minimal)
	fmt.Printf("  size      tcp-socket-listen %d  minimal %d  ratio %.3f (target 1.15)\n", ts, ms, float64(ts)/float64(ms))
	fmt.Printf("  peak RSS  tcp-socket-listen %d KB  minimal %d KB  ratio %.3f (target 1.2)\n\n",
		one[0].rssKB, one[1].rssKB, float64(one[0].rssKB)/float64(one[1].rssKB))

	if *builds != "" {
		otherBuilds(dir, tsl, strue)
	}

	if _, err := exec.LookPath("strace"); err == nil {
		fmt.Println("system calls (strace -f -c), one chain-load each")
		syscalls("tcp-socket-listen", dir, tsl, "127.0.0.1", "0", strue)
		syscalls("minimal", dir, minimal, "127.0.0.1", "0", strue)
	}
}

// otherBuilds measures tcp-socket-listen as other toolchains built it
// against this build: one chain-load each, alternating, and the size.
// Not the peak RSS: a child started with CLONE_VM|CLONE_VFORK is charged
// the parent's high-water mark at exec, and this process outgrows them.
func otherBuilds(dir, tsl, strue string) {
	names := []string{"make's build"}
	if info, err := buildinfo.ReadFile(tsl); err == nil {
		names[0] += " (" + info.GoVersion + ")"
	}
	cmds := [][]string{{tsl, "127.0.0.1", "0", strue}}
	sizes := []int64{size(tsl)}
	for i, d := range strings.Split(*builds, ",") {
		built, err := os.ReadFile(filepath.Join(d, "tcp-socket-listen"))
		check(err)
		bin := filepath.Join(dir, fmt.Sprintf("tcp-socket-listen-%d", i))
		check(os.WriteFile(bin, built, 0o755))
		names = append(names, filepath.Base(d))
		cmds = append(cmds, []string{bin, "127.0.0.1", "0", strue})
		sizes = append(sizes, size(bin))
	}
	med := alternate(cmds...)
	fmt.Println("other builds: one chain-load, 127.0.0.1 0; size")
	for i, name := range names {
		fmt.Printf("  %-28s %8v  ratio %.2f  size %9d bytes\n",
			name, med[i].wall, float64(med[i].wall)/float64(med[0].wall), sizes[i])
	}
	fmt.Println()
}

// compare alternates a, b and (if given) c, and prints the medians and
// a's ratio to b.
func compare(title string, a, b, c []string) []sample {
	cmds := [][]string{a, b}
	if c != nil {
		cmds = append(cmds, c)
	}
	med := alternate(cmds...)
	fmt.Println(title)
	fmt.Printf("  tcp-socket-listen %8v\n  minimal           %8v\n", med[0].wall, med[1].wall)
	if c != nil {
		fmt.Printf("  static true alone %8v\n", med[2].wall)
	}
	fmt.Printf("  ratio %.3f (target 1.10)\n\n", float64(med[0].wall)/float64(med[1].wall))
	return med
}

// alternate runs each command *runs times, in turn, and returns each
// one's median wall time and median peak RSS.
func alternate(cmds ...[]string) []sample {
	all := make([][]sample, len(cmds))
	for i := 0; i < *runs; i++ {
		for j, argv := range cmds {
			all[j] = append(all[j], once(argv))
		}
	}
	med := make([]sample, len(cmds))
	for j, s := range all {
		walls := make([]time.Duration, len(s))
		rss := make([]int64, len(s))
		for i := range s {
			walls[i], rss[i] = s[i].wall, s[i].rssKB
		}
		sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
		sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
		med[j] = sample{walls[len(walls)/2], rss[len(rss)/2]}
	}
	return med
}

func once(argv []string) sample {
	begin := time.Now()
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}})
	check(err)
	st, err := p.Wait()
	wall := time.Since(begin)
	check(err)
	if !st.Success() {
		fmt.Fprintf(os.Stderr, "%q: %v\n", argv, st)
		os.Exit(1)
	}
	return sample{wall, st.SysUsage().(*syscall.Rusage).Maxrss}
}

func syscalls(name, dir string, argv ...string) {
	out := filepath.Join(dir, name+".strace")
	run(append([]string{"strace", "-f", "-qq", "-c", "-o", out}, argv...)...)
	data, err := os.ReadFile(out)
	check(err)
	fmt.Printf("  %s:\n", name)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		fmt.Println("    " + line)
	}
}

func size(path string) int64 {
	fi, err := os.Stat(path)
	check(err)
	return fi.Size()
}

func run(argv ...string) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s", strings.Join(argv, " "), err, out)
		os.Exit(1)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
