package main

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// lookupTime bounds the looking up of one client's name, the forward
// lookup of -p included: two of the 5-second tries that resolv.conf(5)
// gives a server by default. A client whose name is not found by then is
// served without one. tcpserver's child waits for djbdns's library,
// which gives up after a minute.
const lookupTime = 10 * time.Second

// The files a lookup reads.
const (
	hostsPath  = "/etc/hosts"
	resolvPath = "/etc/resolv.conf"
)

// namer looks up clients' names (-h), and with paranoid (-p) keeps a name
// only if a forward lookup of it gives the client's address back, as
// tcpserver does.
//
// A name comes from /etc/hosts first, then from the DNS servers of
// /etc/resolv.conf (dns.go), as a C server's getnameinfo(3) finds it
// with "hosts: files dns", so that a host without DNS (a rescue system,
// a container) can name its clients; nsswitch.conf is not read.
// tcpserver asks DNS alone, through djbdns's library ($DNSCACHEIP, then
// resolv.conf). Both files are read again when stat(2) shows them
// changed.
type namer struct {
	paranoid bool

	// calls is held for every system call of a lookup, the files'
	// and the queries': however many lookups are in progress, they
	// need one thread between them (threadsNeeded).
	calls  sync.Mutex
	hosts  hostsFile
	resolv resolvFile
}

func newNamer(paranoid bool) *namer {
	return &namer{
		paranoid: paranoid,
		hosts:    hostsFile{file: watchedFile{path: hostsPath}},
		resolv:   resolvFile{file: watchedFile{path: resolvPath}, conf: parseResolvConf(nil)},
	}
}

// hostOf is the name of the client at ip, as TCPREMOTEHOST gives it, or
// "" for none: the first that /etc/hosts gives, or else DNS, in lower
// case and without the final dot, as djbdns's library writes it.
func (n *namer) hostOf(ip netip.Addr) string {
	deadline := time.Now().Add(lookupTime)
	named, conf := n.files(ip)
	if named == "" {
		r, err := ask(&n.calls, conf, reverseName(ip), typePTR, deadline)
		if err != nil || r.name == "" {
			return ""
		}
		named = r.name
	}
	if n.paranoid && !n.confirms(conf, named, ip, deadline) {
		return ""
	}
	return named
}

// confirms tells whether name's addresses in ip's family include ip:
// /etc/hosts's, if it gives any, or else DNS's. A name that is an IPv4
// address in dotted form is its own address, as djbdns's dns_ip4 reads
// it. No search domain is tried.
func (n *namer) confirms(conf resolvConf, name string, ip netip.Addr, deadline time.Time) bool {
	n.calls.Lock()
	addrs := ofFamily(n.hosts.addrsOf(name), ip.Is4())
	n.calls.Unlock()
	if len(addrs) == 0 && ip.Is4() {
		addrs = dottedIPv4(name)
	}
	if len(addrs) == 0 {
		qtype := uint16(typeAAAA)
		if ip.Is4() {
			qtype = typeA
		}
		r, err := ask(&n.calls, conf, name, qtype, deadline)
		if err != nil {
			return false
		}
		addrs = r.addrs
	}
	for _, a := range addrs {
		if a.Unmap() == ip {
			return true
		}
	}
	return false
}

// ofFamily is those of addrs that are IPv4 addresses, or IPv6 ones.
func ofFamily(addrs []netip.Addr, v4 bool) []netip.Addr {
	var kept []netip.Addr
	for _, a := range addrs {
		if a.Is4() == v4 {
			kept = append(kept, a)
		}
	}
	return kept
}

// dottedIPv4 reads name as djbdns's dns_ip4 does when it holds nothing
// but digits, dots and brackets: each dot-separated number a byte (mod
// 256), whole groups of four an address; nil for any other name, which
// is looked up.
func dottedIPv4(name string) []netip.Addr {
	var b []byte
	code := 0
	for i := 0; i <= len(name); i++ {
		c := byte('.')
		if i < len(name) {
			c = name[i]
		}
		switch {
		case c == '[' || c == ']':
		case c == '.':
			b = append(b, byte(code))
			code = 0
		case c >= '0' && c <= '9':
			code = code*10 + int(c-'0')
		default:
			return nil
		}
	}
	var addrs []netip.Addr
	for ; len(b) >= 4; b = b[4:] {
		addrs = append(addrs, netip.AddrFrom4(*(*[4]byte)(b)))
	}
	return addrs
}

// files is /etc/hosts's name for ip, if any, and resolv.conf's settings,
// each file read again if it has changed.
func (n *namer) files(ip netip.Addr) (string, resolvConf) {
	n.calls.Lock()
	defer n.calls.Unlock()
	n.hosts.refresh()
	n.resolv.refresh()
	return n.hosts.byAddr[ip], n.resolv.conf
}

// hostsFile is /etc/hosts as last read: each address's first name, and
// each name's addresses, in lower case.
type hostsFile struct {
	file   watchedFile
	byAddr map[netip.Addr]string
	byName map[string][]netip.Addr
}

func (h *hostsFile) refresh() {
	if data, ok := h.file.reread(); ok {
		h.byAddr, h.byName = parseHosts(data)
	}
}

func (h *hostsFile) addrsOf(name string) []netip.Addr {
	return h.byName[strings.ToLower(strings.TrimSuffix(name, "."))]
}

// parseHosts reads a hosts file as the C library does: an address, then
// its names, up to a '#'; the first line of an address gives its name.
// A scoped address (fe80::1%lo) is kept without its scope.
func parseHosts(data []byte) (map[netip.Addr]string, map[string][]netip.Addr) {
	byAddr, byName := map[netip.Addr]string{}, map[string][]netip.Addr{}
	for _, line := range bytes.Split(data, []byte("\n")) {
		if i := bytes.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(string(line))
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		addr = addr.WithZone("").Unmap()
		if _, ok := byAddr[addr]; !ok {
			byAddr[addr] = strings.ToLower(strings.TrimSuffix(f[1], "."))
		}
		for _, name := range f[1:] {
			name = strings.ToLower(strings.TrimSuffix(name, "."))
			byName[name] = append(byName[name], addr)
		}
	}
	return byAddr, byName
}

// resolvConf is what a lookup takes from resolv.conf(5).
type resolvConf struct {
	servers  []netip.Addr
	timeout  time.Duration
	attempts int
}

// resolvFile is /etc/resolv.conf as last read: glibc's defaults until it
// is.
type resolvFile struct {
	file watchedFile
	conf resolvConf
}

func (r *resolvFile) refresh() {
	if data, ok := r.file.reread(); ok {
		r.conf = parseResolvConf(data)
	}
}

// parseResolvConf reads the nameserver lines, at most three, and the
// timeout: and attempts: options, with glibc's defaults (127.0.0.1, 5 s,
// 2) and bounds (30 s, 5).
func parseResolvConf(data []byte) resolvConf {
	c := resolvConf{timeout: 5 * time.Second, attempts: 2}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if a, err := netip.ParseAddr(f[1]); err == nil && len(c.servers) < 3 {
				c.servers = append(c.servers, a.Unmap())
			}
		case "options":
			for _, o := range f[1:] {
				if v, ok := optionValue(o, "timeout:", 30); ok {
					c.timeout = time.Duration(v) * time.Second
				}
				if v, ok := optionValue(o, "attempts:", 5); ok {
					c.attempts = v
				}
			}
		}
	}
	if len(c.servers) == 0 {
		c.servers = []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}
	}
	return c
}

// optionValue reads option o as name followed by a number, at least 1
// and at most max.
func optionValue(o, name string, max int) (int, bool) {
	if !strings.HasPrefix(o, name) {
		return 0, false
	}
	v, err := strconv.Atoi(o[len(name):])
	if err != nil {
		return 0, false
	}
	if v < 1 {
		v = 1
	}
	if v > max {
		v = max
	}
	return v, true
}

// watchedFile is a file read again when stat(2) shows it changed.
type watchedFile struct {
	path string
	id   fileID // of the version last read; zero: none, or to be read again
	read bool   // it has been read, or found gone
}

// reread returns the file's bytes, and true, when they are to be parsed
// afresh: at the first call, and whenever stat shows the file replaced
// or changed since. A file that is gone, or is not a regular one, reads
// as empty. One that cannot be read now returns false, so that what it
// said before stands, and is tried again at the next call.
func (w *watchedFile) reread() ([]byte, bool) {
	var st syscall.Stat_t
	if err := retryEINTR(func() error { return syscall.Stat(w.path, &st) }); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		if w.read && w.id == (fileID{}) {
			return nil, false
		}
		w.id, w.read = fileID{}, true
		return nil, true
	}
	if w.read && statID(&st) == w.id {
		return nil, false
	}
	data, id, err := readRegular(w.path)
	if err != nil {
		w.id = fileID{}
		return nil, false
	}
	w.id, w.read = id, true
	return data, true
}

// readRegular reads the regular file at path whole (see openRegular), if
// it is at most namesFileMax bytes.
func readRegular(path string) ([]byte, fileID, error) {
	fd, st, err := openRegular(path)
	if err != nil {
		return nil, fileID{}, err
	}
	defer syscall.Close(fd)
	if st.Size > namesFileMax {
		return nil, fileID{}, errors.New("larger than 64 MiB")
	}
	data := make([]byte, st.Size)
	n, err := fileAt(fd).ReadAt(data, 0)
	if err != nil && err != io.EOF {
		return nil, fileID{}, err
	}
	return data[:n], statID(&st), nil
}

// namesFileMax is the largest /etc/hosts or resolv.conf read.
const namesFileMax = 64 << 20
