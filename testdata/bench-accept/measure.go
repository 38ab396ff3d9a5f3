// What is read off the kernel and the rounds: CPU time, memory,
// threads, medians.

package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tcp-socket-listen/internal/machine"
)

// machineTicks reads the whole machine's busy and idle clock ticks from
// /proc/stat: a round with no idle time is bound by the machine, not by
// the server.
func machineTicks() (busy, idle int64) {
	data, err := os.ReadFile("/proc/stat")
	check(err)
	f := strings.Fields(strings.SplitN(string(data), "\n", 2)[0])
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		} else {
			busy += n
		}
	}
	return busy, idle
}

// once is one connection: its time from connect to the child's last
// byte, or to the close of a denied one.
func (s *server) once() time.Duration {
	t := time.Now()
	d := net.Dialer{Timeout: 30 * time.Second}
	if s.src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(s.src)}
	}
	c, err := d.Dial("tcp", s.addr)
	check(err)
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	n, err := io.Copy(io.Discard, c)
	want := int64(len("hello\n"))
	if s.denied {
		want = 0
	}
	if err != nil || n != want {
		check(fmt.Errorf("%s: read %d bytes, %v", s.name, n, err))
	}
	return time.Since(t)
}

// holdOpen holds n connections open, each with its child, and returns
// the server's resident set and threads then.
func (s *server) holdOpen(n int) (rssKB, threads int) {
	var cs []net.Conn
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", s.addr)
		check(err)
		b := make([]byte, 6)
		_, err = io.ReadFull(c, b)
		check(err)
		cs = append(cs, c)
	}
	for deadline := time.Now().Add(10 * time.Second); len(machine.ChildPids(s.proc.Pid)) < n && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	rssKB, threads = status(s.proc.Pid, "VmRSS"), status(s.proc.Pid, "Threads")
	for _, c := range cs {
		c.Close()
	}
	return rssKB, threads
}

// cpuTime is the time the process's threads have run, from schedstat.
func cpuTime(pid int) time.Duration {
	var total time.Duration
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	check(err)
	for _, t := range tasks {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // a thread that has just ended
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		total += time.Duration(ns)
	}
	return total
}

// status reads a number from /proc/PID/status.
func status(pid int, field string) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	check(err)
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := cutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.Fields(v)[0])
			return n
		}
	}
	return -1
}

func median(rs []roundResult) roundResult {
	pick := func(f func(roundResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return roundResult{
		perSec:   pick(func(r roundResult) float64 { return r.perSec }),
		p50:      time.Duration(pick(func(r roundResult) float64 { return float64(r.p50) })),
		p99:      time.Duration(pick(func(r roundResult) float64 { return float64(r.p99) })),
		cpuPer1k: time.Duration(pick(func(r roundResult) float64 { return float64(r.cpuPer1k) })),
		idle:     pick(func(r roundResult) float64 { return r.idle }),

		kidsPerConn:   time.Duration(pick(func(r roundResult) float64 { return float64(r.kidsPerConn) })),
		clientPerConn: time.Duration(pick(func(r roundResult) float64 { return float64(r.clientPerConn) })),
	}
}

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

func run(argv ...string) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	check(cmd.Run())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-accept:", err)
		os.Exit(1)
	}
}

// selfTime is the CPU time this process (the load generator) has used.
func selfTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childTime is the CPU time of the children pid has waited for, from
// /proc/PID/stat's cutime and cstime, in clock ticks (USER_HZ, 100 on
// Linux): coarse, but some seconds a round.
func childTime(pid int) time.Duration {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	check(err)
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	cu, _ := strconv.ParseInt(f[13], 10, 64)
	cs, _ := strconv.ParseInt(f[14], 10, 64)
	return time.Duration(cu+cs) * 10 * time.Millisecond
}

// cutPrefix is Go 1.20's strings.CutPrefix, for Go 1.19.
func cutPrefix(s, prefix string) (string, bool) {
	if !strings.HasPrefix(s, prefix) {
		return s, false
	}
	return s[len(prefix):], true
}
