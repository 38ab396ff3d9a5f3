package main

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// The two ways to follow a rules file that tcprules replaces, for one
// connection each: re-open and read it, as tcpserver's children do, or
// keep it and stat the path (rulesFile). Both look up a client that the
// default rule decides, after its address and three prefixes.

// benchRules writes a rules cdb of n addresses and a default, as
// tcprules would, and returns its path.
func benchRules(b *testing.B, n int) string {
	records := [][2]string{{"127.", "+RELAYCLIENT=\x00"}}
	for i := 0; i < n; i++ {
		records = append(records, [2]string{"10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255), "D\x00"})
	}
	records = append(records, [2]string{"", "D\x00"})
	path := filepath.Join(b.TempDir(), "rules.cdb")
	if err := os.WriteFile(path, makeCDB(records), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

var benchSizes = []int{20, 10000}

func BenchmarkRulesStat(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n)+"rules", func(b *testing.B) {
			r := &rulesFile{path: benchRules(b, n)}
			defer r.replace(nil)
			for i := 0; i < b.N; i++ {
				if v, err := r.check("192.0.2.1", ""); err != nil || !v.deny {
					b.Fatal(v, err)
				}
			}
		})
	}
}

// BenchmarkRulesPread is BenchmarkRulesStat for a file too large to be
// read whole: the lookups read it with pread.
func BenchmarkRulesPread(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n)+"rules", func(b *testing.B) {
			path := benchRules(b, n)
			fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
			if err != nil {
				b.Fatal(err)
			}
			defer syscall.Close(fd)
			var st syscall.Stat_t
			if err := syscall.Fstat(fd, &st); err != nil {
				b.Fatal(err)
			}
			db, err := newCDB(fileAt(fd), st.Size)
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < b.N; i++ {
				if err := syscall.Stat(path, &st); err != nil {
					b.Fatal(err)
				}
				if v, err := decide(db, "192.0.2.1", ""); err != nil || !v.deny {
					b.Fatal(v, err)
				}
			}
		})
	}
}

func BenchmarkRulesReopen(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n)+"rules", func(b *testing.B) {
			path := benchRules(b, n)
			for i := 0; i < b.N; i++ {
				s, err := loadRules(path)
				if err != nil {
					b.Fatal(err)
				}
				v, err := decide(s.db, "192.0.2.1", "")
				syscall.Close(s.fd)
				if err != nil || !v.deny {
					b.Fatal(v, err)
				}
			}
		})
	}
}

// BenchmarkRulesReopenFloor is the least that re-opening costs, however
// the lookups are then done (tcpserver's read the header slot and the
// records with a seek and a read each): the open and the close alone.
func BenchmarkRulesReopenFloor(b *testing.B) {
	path := benchRules(b, 20)
	for i := 0; i < b.N; i++ {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		syscall.Close(fd)
	}
}
