// s6-tcpserverd beside tcp-socket-accept, from ../shared/peers/ when it
// is there, and where each server's CPU time and sleeps go, thread by
// thread, over one round.

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// s6Server is s6-tcpserverd behind s6-tcpserver-socketbinder, from dir,
// serving hello as the pair does, or nil, with why, when dir lacks them.
func s6Server(dir, hello string, limit int) (*server, string) {
	binder := filepath.Join(dir, "s6-tcpserver-socketbinder")
	s6d := filepath.Join(dir, "s6-tcpserverd")
	for _, p := range []string{binder, s6d} {
		if _, err := os.Stat(p); err != nil {
			return nil, err.Error()
		}
	}
	return &server{name: "s6-tcpserverd", argv: []string{binder, "-b", "4096", "127.0.0.1", freePort(), s6d, "-c", strconv.Itoa(limit), "-C", strconv.Itoa(limit), hello}}, ""
}

// taskTimes is one thread's CPU time and its sleeps, voluntary and not.
type taskTimes struct {
	cpu             time.Duration
	voluntary, kept int64
}

// tasks reads each thread of pid from /proc/PID/task.
func tasks(pid int) map[int]taskTimes {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	entries, err := os.ReadDir(dir)
	check(err)
	ts := map[int]taskTimes{}
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join(dir, e.Name(), "stat"))
		if err != nil {
			continue // ended meanwhile
		}
		// The fields after the command's closing parenthesis: utime
		// and stime are the 12th and 13th of them.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		t := taskTimes{cpu: time.Duration(utime+stime) * time.Second / clockTicks}
		status, err := os.ReadFile(filepath.Join(dir, e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := cutPrefix(line, "voluntary_ctxt_switches:"); ok {
				t.voluntary, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
			if v, ok := cutPrefix(line, "nonvoluntary_ctxt_switches:"); ok {
				t.kept, _ = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			}
		}
		ts[tid] = t
	}
	return ts
}

// clockTicks is the kernel's USER_HZ, in which /proc gives CPU times.
const clockTicks = 100

// perThread runs one more round of s, started afresh, and prints what
// each of its threads spent over it: CPU time per 1,000 connections, and
// sleeps (voluntary context switches) and preemptions per connection,
// the busiest first. A thread started during the round counts from zero.
func perThread(s *server) {
	s.start(nil)
	defer s.stop()
	s.round() // warm: the threads a round needs are started
	before := tasks(s.proc.Pid)
	s.round()
	after := tasks(s.proc.Pid)
	type row struct {
		tid int
		d   taskTimes
	}
	var rows []row
	var total taskTimes
	for tid, a := range after {
		b := before[tid]
		d := taskTimes{cpu: a.cpu - b.cpu, voluntary: a.voluntary - b.voluntary, kept: a.kept - b.kept}
		rows = append(rows, row{tid, d})
		total.cpu += d.cpu
		total.voluntary += d.voluntary
		total.kept += d.kept
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].d.cpu != rows[j].d.cpu {
			return rows[i].d.cpu > rows[j].d.cpu
		}
		return rows[i].d.voluntary > rows[j].d.voluntary
	})
	n := float64(*conns)
	fmt.Printf("\n%s, thread by thread over one round (%d threads):\n", s.name, len(rows))
	fmt.Printf("  %-8s %16s %18s %18s\n", "thread", "CPU/1000 conn", "sleeps/conn", "preempted/conn")
	for i, r := range rows {
		name := strconv.Itoa(r.tid)
		if r.tid == s.proc.Pid {
			name += "*"
		}
		fmt.Printf("  %-8s %16v %18.2f %18.2f\n", name, (r.d.cpu * 1000 / time.Duration(*conns)).Round(time.Millisecond), float64(r.d.voluntary)/n, float64(r.d.kept)/n)
		if i == 15 {
			fmt.Printf("  ... %d more\n", len(rows)-16)
			break
		}
	}
	fmt.Printf("  %-8s %16v %18.2f %18.2f\n", "all", (total.cpu * 1000 / time.Duration(*conns)).Round(time.Millisecond), float64(total.voluntary)/n, float64(total.kept)/n)
	fmt.Println("  (* the main thread; CPU in clock ticks of 10 ms)")
}
