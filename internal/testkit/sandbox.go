//go:build linux

package testkit

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The sandbox is a private network and mount namespace with only
// loopback up, and testdata's hosts, services and nsswitch.conf in place
// of the system's: names resolve the same everywhere and no query leaves
// the machine.
var sandboxCheck struct {
	once   sync.Once
	reason string
}

func Sandbox(t *testing.T, testdata, setup string, argv ...string) []string {
	t.Helper()
	sandboxCheck.once.Do(func() {
		out, err := exec.Command("unshare", "-mn", "sh", "-c", "mount --bind /dev/null /etc/hosts && ip link set lo up").CombinedOutput()
		if err != nil {
			sandboxCheck.reason = "needs root for a private network and mount namespace (unshare -mn, mount, ip): " + err.Error() + ": " + strings.TrimSpace(string(out))
		}
	})
	if sandboxCheck.reason != "" {
		t.Skip(sandboxCheck.reason)
	}
	td, err := filepath.Abs(testdata)
	if err != nil {
		t.Fatal(err)
	}
	script := `set -e
mount --bind "$1/hosts" /etc/hosts
mount --bind "$1/services" /etc/services
mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf
ip link set lo up
` + setup + `
shift
exec "$@"`
	return append([]string{"unshare", "-mn", "sh", "-c", script, "sh", td}, argv...)
}

// WithEtc is argv run, by unshare at the path given, in a private mount
// namespace where dir's resolv.conf, hosts and nsswitch.conf stand in
// for /etc's, on the machine's own network: the names that argv looks up
// are dir's, and its DNS servers those dir's resolv.conf names. It needs
// root. unshare and sh exec, so that argv keeps the pid started.
func WithEtc(unshare, dir string, argv ...string) []string {
	script := `set -e
for f in resolv.conf hosts nsswitch.conf; do mount --bind "$1/$f" "/etc/$f"; done
shift
exec "$@"`
	return append([]string{unshare, "-m", "sh", "-c", script, "sh", dir}, argv...)
}
