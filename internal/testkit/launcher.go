//go:build linux

package testkit

import (
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

// launcher sets up state that package os cannot hand to a child, then
// execs its arguments without PROBE_LAUNCH in the environment.
func launcher(how string) {
	// The environment as the kernel gave it, which os.Environ is not,
	// read before a mode lowers the descriptor limit; without /proc, what
	// the runtime gives.
	raw, err := RawEnviron()
	if err != nil {
		raw = os.Environ()
	}
	var env []string
	for _, kv := range raw {
		if !strings.HasPrefix(kv, "PROBE_LAUNCH=") {
			env = append(env, kv)
		}
	}
	switch how {
	case "nonblocking-stdin":
		if err := syscall.SetNonblock(0, true); err != nil {
			panic(err)
		}
	case "state":
		launcherState()
	case "limited":
		launcherLimited()
	case "own-pid":
		env = withOwnPid(env)
	case "no-proc":
		launcherNoProc()
	default:
		panic("unknown PROBE_LAUNCH " + how)
	}
	panic(syscall.Exec(os.Args[1], os.Args[1:], env))
}

// RawEnviron is /proc/self/environ, entry for entry.
func RawEnviron() ([]string, error) {
	data, err := os.ReadFile("/proc/self/environ")
	if err != nil {
		return nil, err
	}
	env := strings.Split(string(data), "\x00")
	return env[:len(env)-1], nil // after the last entry's NUL
}

// The state that TestTransparency launches from.
var (
	LaunchIgnored = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGPIPE, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGTSTP, syscall.SIGTTOU}
	// LaunchIgnoredRT are ignored too: signals that the Go runtime
	// leaves as it found them.
	LaunchIgnoredRT = []syscall.Signal{32, 34}
	LaunchBlocked   = []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE, syscall.SIGTERM, syscall.SIGUSR2, syscall.SIGCHLD, syscall.SIGWINCH}
)

const (
	LaunchUmask    = 0o027
	LaunchNofile   = 200
	LaunchNofileHi = 4000
)

func launcherState() {
	syscall.Umask(LaunchUmask)
	// Setrlimit, unlike the runtime's own raise, is not undone at exec.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: LaunchNofile, Max: LaunchNofileHi}); err != nil {
		panic(err)
	}
	for _, sig := range LaunchIgnored {
		signal.Ignore(sig)
	}
	// Signals 32 and 34, which package os/signal cannot take, ignored
	// with the kernel's struct sigaction (x86's and the generic one): a
	// handler of SIG_IGN (1), no flags, no restorer, an empty mask.
	ign := struct {
		handler, flags, restorer uintptr
		mask                     uint64
	}{handler: 1}
	for _, sig := range LaunchIgnoredRT {
		if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&ign)), 0, 8, 0, 0); errno != 0 {
			panic(errno)
		}
	}
	// The mask is the thread's: block on the thread that will exec.
	runtime.LockOSThread()
	mask := Sigset(LaunchBlocked)
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_RT_SIGPROCMASK, 2 /* SIG_SETMASK */, uintptr(unsafe.Pointer(&mask)), 0, 8, 0, 0); errno != 0 {
		panic(errno)
	}
}

// Sigset is the bit mask that /proc/PID/status shows for sigs.
func Sigset(sigs []syscall.Signal) uint64 {
	var m uint64
	for _, s := range sigs {
		m |= 1 << (s - 1)
	}
	return m
}

// withOwnPid gives every entry "NAME=@pid" the launcher's pid, which the
// command it execs will run as.
func withOwnPid(env []string) []string {
	for i, kv := range env {
		if name, value, ok := strings.Cut(kv, "="); ok && value == "@pid" {
			env[i] = name + "=" + strconv.Itoa(os.Getpid())
		}
	}
	return env
}

// launcherNoProc unmounts /proc in the mount namespace that the test
// made for the launcher, kept from the rest of the machine first.
func launcherNoProc() {
	if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		panic(err)
	}
	if err := syscall.Unmount("/proc", syscall.MNT_DETACH); err != nil {
		panic(err)
	}
}

// launcherLimited makes standard input non-blocking if PROBE_STDIN says
// so, and sets RLIMIT_NOFILE, soft and hard, to PROBE_NOFILE, or the hard
// limit to PROBE_NOFILE_HARD where that is set.
func launcherLimited() {
	if os.Getenv("PROBE_STDIN") == "nonblocking" {
		if err := syscall.SetNonblock(0, true); err != nil {
			panic(err)
		}
	}
	n, err := strconv.ParseUint(os.Getenv("PROBE_NOFILE"), 10, 64)
	if err != nil {
		panic(err)
	}
	hard := n
	if h := os.Getenv("PROBE_NOFILE_HARD"); h != "" {
		if hard, err = strconv.ParseUint(h, 10, 64); err != nil {
			panic(err)
		}
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: hard}); err != nil {
		panic(err)
	}
}
