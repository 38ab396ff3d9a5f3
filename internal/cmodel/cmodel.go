// Package cmodel is a model of the C library's number readers, written
// from their manual pages with regular expressions and package strconv,
// apart from the commands' cparse.go: fuzz tests check it and its
// users against it.
package cmodel

import (
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// cConstant matches one C integer constant as strtoul(s, 0) reads it
// whole: hexadecimal, octal or decimal.
var cConstant = `(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)`

var strtoulWhole = regexp.MustCompile(`^[ \t\n\v\f\r]*([+-]?)` + cConstant + `$`)

// Strtoul is the model of strtoul(s, &end, 0) read to the end: ok, the
// sign, and the value (which may not fit).
func Strtoul(s string) (ok, neg bool, v uint64, fits bool) {
	m := strtoulWhole.FindStringSubmatch(s)
	if m == nil {
		return false, false, 0, false
	}
	digits, base := m[2], 10
	switch {
	case len(digits) > 1 && (digits[1] == 'x' || digits[1] == 'X'):
		digits, base = digits[2:], 16
	case digits[0] == '0':
		base = 8
	}
	v, err := strconv.ParseUint(digits, base, 64)
	return true, m[1] == "-", v, err == nil
}

var cConstantWhole = regexp.MustCompile(`^` + cConstant + `$`)

// InetAton is inet_aton's rule written from its manual page.
func InetAton(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		ok, _, v, fits := Strtoul(p)
		if !ok || !fits || !cConstantWhole.MatchString(p) {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	last := len(vals) - 1
	var addr uint64
	for i := 0; i < last; i++ {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
		addr |= vals[i] << (24 - 8*i)
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	addr |= vals[last]
	return netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)}), true
}
