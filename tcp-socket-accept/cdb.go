package main

import (
	"encoding/binary"
	"errors"
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
// The database is held in memory whole. Nothing in it is trusted: every
// position and length is checked against the size before it is used,
// in 64 bits so that no sum wraps, and a search visits each slot of its
// table at most once, so a corrupt file is an error, never a panic, a
// read out of bounds or a loop without end.

// cdbHeaderSize is the size of the header: 256 pairs of 32-bit numbers.
const cdbHeaderSize = 2048

// cdbMaxSize is the largest file a cdb can be: its positions are 32 bits.
const cdbMaxSize = 1<<32 - 1

// cdb is a database, checked by newCDB.
type cdb struct {
	data []byte
}

// newCDB checks that data is a cdb whose header and hash tables lie
// within it; the records are checked as lookups reach them.
func newCDB(data []byte) (cdb, error) {
	if len(data) < cdbHeaderSize {
		return cdb{}, errors.New("not a cdb: " + strconv.Itoa(len(data)) + " bytes, shorter than the 2048-byte header")
	}
	if uint64(len(data)) > cdbMaxSize {
		return cdb{}, errors.New("not a cdb: larger than 4 GiB")
	}
	c := cdb{data: data}
	for t := uint32(0); t < 256; t++ {
		pos, slots := c.u32(8*t), c.u32(8*t+4)
		if uint64(pos)+8*uint64(slots) > uint64(len(data)) {
			return cdb{}, errors.New("not a cdb: hash table " + strconv.Itoa(int(t)) + " at " + u32Text(pos) + ", " + u32Text(slots) +
				" slots, ends past the end of the file, " + strconv.Itoa(len(data)) + " bytes")
		}
	}
	return c, nil
}

// u32 is the number at off, which the caller has checked lies within.
func (c cdb) u32(off uint32) uint32 {
	return binary.LittleEndian.Uint32(c.data[off : off+4])
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
	h := cdbHash(key)
	table := 8 * (h & 255)
	pos, slots := c.u32(table), c.u32(table+4)
	if slots == 0 {
		return nil, false, nil
	}
	slot := (h >> 8) % slots
	for i := uint32(0); i < slots; i++ {
		at := pos + 8*slot // within the table, which newCDB checked
		if slot++; slot == slots {
			slot = 0
		}
		rec := c.u32(at + 4)
		if rec == 0 {
			return nil, false, nil
		}
		if c.u32(at) != h {
			continue
		}
		k, d, err := c.record(rec)
		if err != nil {
			return nil, false, err
		}
		if string(k) == key {
			return d, true, nil
		}
	}
	return nil, false, nil
}

// record is the key and the data of the record at pos.
func (c cdb) record(pos uint32) (key, data []byte, err error) {
	size := uint64(len(c.data))
	if uint64(pos)+8 > size {
		return nil, nil, errors.New("not a cdb: a record at " + u32Text(pos) + " starts past the end of the file, " + strconv.FormatUint(size, 10) + " bytes")
	}
	klen, dlen := c.u32(pos), c.u32(pos+4)
	end := uint64(pos) + 8 + uint64(klen) + uint64(dlen)
	if end > size {
		return nil, nil, errors.New("not a cdb: the record at " + u32Text(pos) + " ends past the end of the file, " + strconv.FormatUint(size, 10) + " bytes")
	}
	k := uint64(pos) + 8 + uint64(klen)
	return c.data[pos+8 : k], c.data[k:end], nil
}

func u32Text(n uint32) string {
	return strconv.FormatUint(uint64(n), 10)
}
