//go:build linux

package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tcp-socket-listen/internal/testkit"
)

// TestLighttpd hands the socket to a real consumer that nobody here
// wrote: lighttpd with systemd socket activation, which takes descriptor
// 3 when LISTEN_PID and LISTEN_FDS say so.
func TestLighttpd(t *testing.T) {
	lighttpd := testkit.SystemProgram(t, "lighttpd", "lighttpd")
	dir := t.TempDir()
	const page = "served from an inherited socket\n"
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	port := testkit.FreePort(t)
	conf := `server.document-root = "` + dir + `"
server.bind = "127.0.0.1"
server.port = ` + port + `
server.systemd-socket-activation = "enable"
server.errorlog = "` + dir + `/error.log"
index-file.names = ("index.html")
`
	if err := os.WriteFile(filepath.Join(dir, "lighttpd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tslBinary, "--systemd-compatibility", "-b", "11", "127.0.0.1", port, lighttpd, "-D", "-f", filepath.Join(dir, "lighttpd.conf"))
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	body, err := httpGet("127.0.0.1:"+port, 10*time.Second)
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		t.Fatalf("GET from lighttpd: %v\nstderr: %s\nerror.log: %s", err, stderr.String(), log)
	}
	if !strings.HasSuffix(body, "\r\n\r\n"+page) || !strings.HasPrefix(body, "HTTP/1.0 200") {
		t.Errorf("lighttpd answered %q", body)
	}
	comm, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm")
	if string(comm) != "lighttpd\n" {
		t.Errorf("process %d is %q; want lighttpd in the pid tcp-socket-listen started as", cmd.Process.Pid, comm)
	}
}

// httpGet asks addr for / by HTTP/1.0, retrying until deadline while the
// server starts.
func httpGet(addr string, wait time.Duration) (string, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			_, err = io.WriteString(c, "GET / HTTP/1.0\r\nHost: test\r\n\r\n")
			var body []byte
			if err == nil {
				body, err = io.ReadAll(c)
			}
			c.Close()
			if err == nil && len(body) > 0 {
				return string(body), nil
			}
		}
		if time.Now().After(deadline) {
			return "", err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
