package main

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"syscall"
)

// rulesFile is the -x file, followed while the server runs: tcprules
// writes a new file and renames it over the old, and the next connection
// must follow the new rules.
//
// The file is kept open, with its identity (device, inode, size,
// modification and change times); each connection costs one stat(2) of
// the path and a comparison, and it is opened again only when the
// identity differs. A file of up to rulesInMemoryAtMost is read whole,
// and looked up in memory; a larger one is read a lookup at a time, only
// its header kept, the slots and records a lookup needs read with
// pread(2) (see cdb), so that a file of any size costs the server no
// more memory than that. With 20 rules a connection costs 2.8 µs in
// memory (the stat, mostly), 7.5 µs with pread; with 10000, 3 and 23 µs
// (BenchmarkRulesStat, BenchmarkRulesPread, 2 shared CPUs). Not a
// mapping, which would cost no more than memory: a file cut short in
// place while mapped would kill the server with SIGBUS at the next
// lookup that reads past its new end. Re-opening
// the file for each connection, as tcpserver's children do, would cost
// 3.9 µs more for the open and the close alone
// (BenchmarkRulesReopenFloor).
//
// The change time catches an edit in place of the same size that sets
// the old modification time back (cp -p, rsync -t). While the file is
// open its inode cannot be freed and handed to a later file, so that a
// file written by tcprules after two replacements cannot pass for it,
// even where the file system's clock is too coarse to tell their times
// apart.
type rulesFile struct {
	path     string
	optional bool // -X: a missing file allows every client

	mu  sync.Mutex     // held for a whole check: see replace
	cur *rulesSnapshot // nil until the file is read
}

// rulesSnapshot is one version of the file.
type rulesSnapshot struct {
	id fileID
	fd int
	db cdb
}

// fileID tells two versions of a file apart (see statID).
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime syscall.Timespec
}

// rulesInMemoryAtMost is the largest file read whole: 1 MiB, some
// 25000 rules as tcprules writes them.
const rulesInMemoryAtMost = 1 << 20

// errNoRules is a missing file under -X.
var errNoRules = errors.New("no rules")

// check is the verdict of the current rules for the client at ip named
// host ("" for none), or why the file cannot be used.
func (r *rulesFile) check(ip, host string) (verdict, error) {
	var st syscall.Stat_t
	err := retryEINTR(func() error { return syscall.Stat(r.path, &st) })
	r.mu.Lock()
	defer r.mu.Unlock()
	db, err := r.current(&st, err)
	if err == errNoRules {
		return verdict{}, nil
	}
	if err != nil {
		return verdict{}, err
	}
	return decide(db, ip, host)
}

// current is the database as the file is now, given what stat said of
// its path: opened again if it has been replaced or changed since it was
// last opened. With mu held.
func (r *rulesFile) current(st *syscall.Stat_t, err error) (cdb, error) {
	if err != nil {
		// A file gone is let go of, so that its space is freed.
		r.replace(nil)
		return cdb{}, r.unusable(err)
	}
	if r.cur != nil && r.cur.id == statID(st) {
		return r.cur.db, nil
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
	return next.db, nil
}

// unusable is err, or errNoRules for a missing file under -X.
func (r *rulesFile) unusable(err error) error {
	if err == syscall.ENOENT && r.optional {
		return errNoRules
	}
	return err
}

// replace makes next the current version, and closes the one before.
// mu is held from the comparison with the stat to the last read of a
// check, so that no lookup reads a descriptor closed here, or another
// file given its number since.
func (r *rulesFile) replace(next *rulesSnapshot) {
	if r.cur != nil {
		syscall.Close(r.cur.fd)
	}
	r.cur = next
}

// loadRules opens the file at path and reads it, or its header. A
// failure is returned, to be tried again for the next connection; what
// is wrong with the file as a cdb is found by the lookups that meet it,
// as tcpserver finds it.
func loadRules(path string) (*rulesSnapshot, error) {
	fd, st, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	var r io.ReaderAt = fileAt(fd)
	if st.Size <= rulesInMemoryAtMost {
		data := make([]byte, st.Size)
		n, err := r.ReadAt(data, 0)
		if err != nil && err != io.EOF {
			syscall.Close(fd)
			return nil, err
		}
		// Shortened since the fstat: the next stat will differ.
		r = bytes.NewReader(data[:n])
	}
	db, err := newCDB(r, st.Size)
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return &rulesSnapshot{id: statID(&st), fd: fd, db: db}, nil
}

// openRegular opens the regular file at path, and says what fstat(2)
// says of it. O_NONBLOCK, and the type checked on the descriptor: a FIFO
// put there since the caller's stat must not hang the server in open or
// read.
func openRegular(path string) (int, syscall.Stat_t, error) {
	var fd int
	var st syscall.Stat_t
	err := retryEINTR(func() (err error) {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
		return err
	})
	if err != nil {
		return 0, st, err
	}
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return 0, st, err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return 0, st, errors.New("not a regular file")
	}
	return fd, st, nil
}

// fileAt reads an open file with pread(2).
type fileAt int

func (fd fileAt) ReadAt(b []byte, off int64) (int, error) {
	n := 0
	for n < len(b) {
		var m int
		err := retryEINTR(func() (err error) {
			m, err = syscall.Pread(int(fd), b[n:], off+int64(n))
			return err
		})
		if err != nil {
			return n, err
		}
		if m == 0 {
			return n, io.EOF
		}
		n += m
	}
	return n, nil
}

func retryEINTR(call func() error) error {
	for {
		if err := call(); err != syscall.EINTR {
			return err
		}
	}
}
