package main

import (
	"errors"
	"math"
	"sync"
	"syscall"
)

// rulesFile is the -x file, followed while the server runs: tcprules
// writes a new file and renames it over the old, and the next connection
// must follow the new rules.
//
// The file is read whole once, and kept, with its identity (device,
// inode, size, modification and change times); each connection costs one
// stat(2) of the path and a comparison, and the file is read again only
// when they differ. Re-opening it for each connection instead, as
// tcpserver's children do, costs more whatever the lookups then read:
// the open and close alone take 3.9 µs, against 2.4 µs for the stat and
// the lookups in memory; open, fstat, read and close take 11.6 µs with
// 20 rules, 104 µs with 10000 (2.9 µs kept), measured by
// BenchmarkRulesStat, BenchmarkRulesReopen and BenchmarkRulesReopenFloor
// on 2 shared CPUs. A denied client costs the server some 28 µs in all
// (make bench), of which the stat is a tenth; re-opening would add 40%,
// and several times that with a large file.
//
// The change time catches an edit in place of the same size that sets
// the old modification time back (cp -p, rsync -t). The kept file stays
// open, close-on-exec, for one reason: while it is open its inode cannot
// be freed and handed to a later file, so that a file written by tcprules
// after two replacements cannot pass for it, even where the file
// system's clock is too coarse to tell their times apart.
type rulesFile struct {
	path     string
	optional bool // -X: a missing file allows every client

	mu  sync.Mutex
	cur *rulesSnapshot // nil until the file is read
}

// rulesSnapshot is one version of the file.
type rulesSnapshot struct {
	id  fileID
	fd  int // held open: see rulesFile
	db  cdb
	err error // what is wrong with this version, as a cdb
}

// fileID tells two versions of a file apart (see statID).
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime syscall.Timespec
}

// errNoRules is a missing file under -X.
var errNoRules = errors.New("no rules")

// check is the verdict of the current rules for the client at ip, or why
// the file cannot be used.
func (r *rulesFile) check(ip string) (verdict, error) {
	db, err := r.current()
	if err == errNoRules {
		return verdict{}, nil
	}
	if err != nil {
		return verdict{}, err
	}
	return decide(db, ip)
}

// current is the database as the file is now, read again if it has been
// replaced or changed since it was last read.
func (r *rulesFile) current() (cdb, error) {
	var st syscall.Stat_t
	err := retryEINTR(func() error { return syscall.Stat(r.path, &st) })
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		// A file gone is let go of, so that its space is freed.
		r.replace(nil)
		return cdb{}, r.unusable(err)
	}
	if r.cur != nil && r.cur.id == statID(&st) {
		return r.cur.db, r.cur.err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		r.replace(nil) // the file it was is gone: let go of it
		return cdb{}, errors.New("not a regular file")
	}
	next, err := loadRules(r.path)
	if err != nil {
		r.replace(nil)
		return cdb{}, r.unusable(err)
	}
	r.replace(next)
	return next.db, next.err
}

// unusable is err, or errNoRules for a missing file under -X.
func (r *rulesFile) unusable(err error) error {
	if err == syscall.ENOENT && r.optional {
		return errNoRules
	}
	return err
}

// replace makes next the current version, and closes the one before; a
// connection still looking up in it reads only its memory.
func (r *rulesFile) replace(next *rulesSnapshot) {
	if r.cur != nil {
		syscall.Close(r.cur.fd)
	}
	r.cur = next
}

// loadRules opens and reads the file at path. A failure to open or read
// it is returned, to be tried again for the next connection; what is
// wrong with what was read stays with the snapshot, for as long as the
// file is that one. O_NONBLOCK: a FIFO put there since the stat must not
// hang the server in open.
func loadRules(path string) (*rulesSnapshot, error) {
	var fd int
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	var st syscall.Stat_t
	data, err := readRules(fd, &st)
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	s := &rulesSnapshot{id: statID(&st), fd: fd}
	s.db, s.err = newCDB(data)
	return s, nil
}

// readRules reads the regular file fd whole, and its identity into st.
func readRules(fd int, st *syscall.Stat_t) ([]byte, error) {
	if err := syscall.Fstat(fd, st); err != nil {
		return nil, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, errors.New("not a regular file")
	}
	if st.Size > cdbMaxSize {
		return nil, errors.New("not a cdb: larger than 4 GiB")
	}
	if st.Size > math.MaxInt {
		return nil, errors.New("too large to read on this system")
	}
	b := make([]byte, st.Size)
	n := 0
	for n < len(b) {
		var m int
		err := retryEINTR(func() (err error) {
			m, err = syscall.Pread(fd, b[n:], int64(n))
			return err
		})
		if err != nil {
			return nil, err
		}
		if m == 0 {
			break // shortened since the fstat: the next stat will differ
		}
		n += m
	}
	return b[:n], nil
}

func retryEINTR(call func() error) error {
	for {
		if err := call(); err != syscall.EINTR {
			return err
		}
	}
}
