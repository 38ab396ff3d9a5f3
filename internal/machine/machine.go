//go:build linux

// Package machine reads what the benches and the tests both need of the
// machine they run on: its description, and a process's children as the
// kernel lists them. It is theirs alone: no file of either command
// imports anything of this module.
package machine

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// Describe names what a measurement ran on, for the benches' first
// line: the Go release, the system and port, the CPUs and the kernel.
func Describe() string {
	return runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ", " +
		strconv.Itoa(runtime.NumCPU()) + " CPUs, " + kernel()
}

func kernel() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "unknown kernel"
	}
	var b []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	return "Linux " + string(b)
}

// ChildPids lists pid's children, zombies included, from the kernel's
// lists per thread.
func ChildPids(pid int) []int {
	var pids []int
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	for _, task := range tasks {
		data, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/children")
		for _, f := range strings.Fields(string(data)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
	}
	return pids
}
