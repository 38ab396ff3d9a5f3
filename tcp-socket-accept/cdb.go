package main

import (
	"encoding/binary"
	"errors"
	"io"
	"strconv"
)

// A reader of D. J. Bernstein's constant database, cdb, the format that
// tcprules(1) writes: a header of 256 (position, slots) pairs, the
// records (key length, data length, key, data), then 256 hash tables of
// (hash, record position) slots, every number 32 bits little-endian. A
// key's hash picks a table by its low 8 bits and, by the rest, the slot
// where the search starts; the search goes on, wrapping round, until the
// key or an empty slot is found.
//
// Only the header is kept; a lookup reads the slots and the records it
// needs, with positional reads, as tcpserver's does, so that memory does
// not grow with the file. Nothing in the file is trusted, and a damaged
// one is decided as tcpserver and tcprulescheck decide it, cdb_findnext
// step by step, in 32-bit arithmetic that wraps as theirs does: a read
// that would go past the end of the file is an error, and only the bytes
// a step needs are read. A slot's hash that matches leads to its
// record's key length, then to its key, in pieces of 32 bytes, and to its
// data only once the key matches; a search visits each slot of its table
// at most once.

// cdbHeaderSize is the size of the header: 256 pairs of 32-bit numbers.
const cdbHeaderSize = 2048

// cdbDataAtMost is the longest rule data read; tcprules writes a few
// dozen bytes. tcpserver would try to allocate what a damaged record's
// length says, up to 4 GiB: here that is an error.
const cdbDataAtMost = 1 << 20

// cdb is a database of size bytes, read from r.
type cdb struct {
	r      io.ReaderAt
	size   int64
	header []byte // the first 2048 bytes, or as many as there are
}

// newCDB reads the header of the database of size bytes in r.
func newCDB(r io.ReaderAt, size int64) (cdb, error) {
	n := int64(cdbHeaderSize)
	if size < n {
		n = size
	}
	c := cdb{r: r, size: size, header: make([]byte, n)}
	if n == 0 {
		return c, nil
	}
	if _, err := r.ReadAt(c.header, 0); err != nil {
		return cdb{}, readError(err)
	}
	return c, nil
}

// readError is what a read that should have found the bytes returns:
// the file has been shortened since its size was taken, and the next
// stat will show it.
func readError(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("shortened while read")
	}
	return err
}

// read fills b from position pos, an error if that goes past the end.
func (c cdb) read(b []byte, pos uint32, what string) error {
	if int64(pos) > c.size || c.size-int64(pos) < int64(len(b)) {
		return errors.New("not a cdb: " + what + " at " + u32Text(pos) + " ends past the end of the file, " + strconv.FormatInt(c.size, 10) + " bytes")
	}
	if _, err := c.r.ReadAt(b, int64(pos)); err != nil {
		return readError(err)
	}
	return nil
}

// cdbHash is cdb's hash: h = (h*33) ^ byte, from 5381.
func cdbHash(key string) uint32 {
	h := uint32(5381)
	for i := 0; i < len(key); i++ {
		h = (h + h<<5) ^ uint32(key[i])
	}
	return h
}

// find returns the data of key's first record, and whether there is one.
func (c cdb) find(key string) ([]byte, bool, error) {
	var buf [8]byte
	h := cdbHash(key)
	at := h << 3 & (cdbHeaderSize - 1)
	if int(at)+8 > len(c.header) {
		return nil, false, errors.New("not a cdb: " + strconv.FormatInt(c.size, 10) + " bytes, shorter than the 2048-byte header")
	}
	hpos, hslots := u32(c.header[at:]), u32(c.header[at+4:])
	if hslots == 0 {
		return nil, false, nil
	}
	kpos := hpos + (h>>8)%hslots<<3
	for loop := uint32(0); loop < hslots; loop++ {
		if err := c.read(buf[:], kpos, "a hash table slot"); err != nil {
			return nil, false, err
		}
		pos := u32(buf[4:])
		if pos == 0 {
			return nil, false, nil
		}
		if kpos += 8; kpos == hpos+hslots<<3 {
			kpos = hpos
		}
		if u32(buf[:]) != h {
			continue
		}
		if err := c.read(buf[:], pos, "a record"); err != nil {
			return nil, false, err
		}
		if u32(buf[:]) != uint32(len(key)) {
			continue
		}
		same, err := c.keyAt(pos+8, key)
		if err != nil {
			return nil, false, err
		}
		if !same {
			continue
		}
		return c.data(pos+8+uint32(len(key)), u32(buf[4:]))
	}
	return nil, false, nil
}

// keyAt tells whether the record's key at pos is key, reading it in
// pieces of 32 bytes, and no further than the first that differs.
func (c cdb) keyAt(pos uint32, key string) (bool, error) {
	var buf [32]byte
	for len(key) > 0 {
		n := len(key)
		if n > len(buf) {
			n = len(buf)
		}
		if err := c.read(buf[:n], pos, "a record's key"); err != nil {
			return false, err
		}
		if string(buf[:n]) != key[:n] {
			return false, nil
		}
		pos += uint32(n)
		key = key[n:]
	}
	return true, nil
}

// data is the n bytes of a record's data at pos.
func (c cdb) data(pos, n uint32) ([]byte, bool, error) {
	if n > cdbDataAtMost {
		return nil, false, errors.New("not a rules cdb: the data at " + u32Text(pos) + " is " + u32Text(n) + " bytes long, more than 1 MiB")
	}
	d := make([]byte, n)
	if err := c.read(d, pos, "a record's data"); err != nil {
		return nil, false, err
	}
	return d, true, nil
}

func u32(b []byte) uint32 {
	return binary.LittleEndian.Uint32(b)
}

func u32Text(n uint32) string {
	return strconv.FormatUint(uint64(n), 10)
}
