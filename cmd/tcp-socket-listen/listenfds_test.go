//go:build linux

package main

import (
	"os"
	"testing"

	"tcp-socket-tools/internal/diag"
)

func TestListenFDsOutOfRange(t *testing.T) {
	// With a matching LISTEN_PID, a LISTEN_FDS that puts 3+n past INT_MAX,
	// the largest descriptor number, is refused; the C original truncates
	// it to an unsigned int, so that 4294967295 puts the socket on 2.
	// Descriptor 3, the caller's, is left alone: nothing runs.
	for _, n := range []string{"2147483645", "2147483648", "4294967293", "4294967295", "0xffffffff", " 4294967296",
		"18446744073709551615", "18446744073709551616", "99999999999999999999999"} {
		t.Run(n, func(t *testing.T) {
			p3, _ := testPipe(t)
			argv := asOwnPid(tsl("--systemd-compatibility", "127.0.0.1", "0")...)
			fails(t, launch{argv: argv, env: []string{"LISTEN_FDS=" + n}, files: []*os.File{p3}}.run(t),
				"LISTEN_FDS "+diag.Quote(n)+": too many descriptors: 3+n must be at most 2147483647")
		})
	}
	t.Run("stale pid", func(t *testing.T) {
		// Not this process's: not read, whatever the count.
		r := launch{argv: tsl("--systemd-compatibility", "127.0.0.1", "0"), env: []string{"LISTEN_PID=1", "LISTEN_FDS=4294967295"}}.probed(t)
		socketAt(t, r, 3)
	})
}
