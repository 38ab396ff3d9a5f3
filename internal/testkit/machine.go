//go:build linux

package testkit

import (
	"runtime"
	"strconv"
	"syscall"
)

// Machine names what a measurement ran on, for the benches' first line:
// the Go release, the system and port, the CPUs and the kernel.
func Machine() string {
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
