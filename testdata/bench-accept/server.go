// The servers under test: started, stopped, and measured round by round.

package main

import (
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
	"syscall"
	"time"

	"tcp-socket-listen/internal/machine"
)

// start runs the server, with extra arguments for next-prog, and waits
// until it accepts.
func (s *server) start(extra []string) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	check(err)
	defer devnull.Close()
	argv := append(append([]string(nil), s.argv...), extra...)
	s.proc, err = os.StartProcess(argv[0], argv, &os.ProcAttr{Files: []*os.File{devnull, devnull, devnull}, Env: append([]string{"PATH=/usr/bin:/bin"}, s.env...)})
	check(err)
	host, port := "127.0.0.1", argv[indexOf(argv, "127.0.0.1")+1]
	s.addr = net.JoinHostPort(host, port)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", s.addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			check(fmt.Errorf("%s never listened on %s: %v", s.name, s.addr, err))
		}
	}
}

func (s *server) stop() {
	for _, pid := range machine.ChildPids(s.proc.Pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.proc.Kill()
	s.proc.Wait()
}

// alternate starts servers and runs *rounds rounds of each, server after
// server, showing each round's result as it comes (r counts from 1); it
// returns each one's results, and leaves the servers running.
func alternate(servers []*server, show func(r int, s *server, res roundResult)) map[string][]roundResult {
	results := map[string][]roundResult{}
	for _, s := range servers {
		s.start(nil)
	}
	for r := 1; r <= *rounds; r++ {
		for _, s := range servers {
			res := s.round()
			results[s.name] = append(results[s.name], res)
			show(r, s, res)
		}
	}
	return results
}

// round runs one load of *conns connections, *inFlight at once.
func (s *server) round() roundResult {
	lat := make([]time.Duration, *conns)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	cpu0 := cpuTime(s.proc.Pid)
	kids0 := childTime(s.proc.Pid)
	self0 := selfTime()
	busy0, idle0 := machineTicks()
	t0 := time.Now()
	for w := 0; w < *inFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= *conns {
					return
				}
				lat[i] = s.once()
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0)
	cpu := cpuTime(s.proc.Pid) - cpu0
	kids := childTime(s.proc.Pid) - kids0
	self := selfTime() - self0
	busy1, idle1 := machineTicks()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return roundResult{
		perSec:   float64(*conns) / wall.Seconds(),
		p50:      lat[len(lat)/2],
		p99:      lat[len(lat)*99/100],
		cpuPer1k: cpu * 1000 / time.Duration(*conns),
		idle:     float64(idle1-idle0) / float64(busy1-busy0+idle1-idle0),

		kidsPerConn:   kids / time.Duration(*conns),
		clientPerConn: self / time.Duration(*conns),
	}
}

// indexOf is where s first is in list, or -1.
func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}
