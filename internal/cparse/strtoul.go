// Package cparse reads text as the C library reads it: numbers as
// strtoul(3) and inet_aton(3) do, white space as isspace(3) in the C
// locale. Package strconv is stricter, and the commands promise the C
// original's forms ("0x11", "021", "127.1").
package cparse

import (
	"errors"
	"math"
)

// ErrRange is Strtoul's error for a number that needs over 64 bits.
var ErrRange = errors.New("number out of range")

// Strtoul parses all of s the way C's strtoul(s, &end, 0) does, demanding
// that end reach the end of s: leading white space, an optional sign, then
// a decimal, 0x hexadecimal or 0 octal number of at most 64 bits. It
// reports a minus sign rather than wrapping around.
func Strtoul(s string) (v uint64, neg bool, err error) {
	s, neg = CutSign(s)
	if s == "" || !IsDigit(s[0]) {
		return 0, neg, errors.New("not a number")
	}
	v, rest, ok := CNumber(s)
	switch {
	case rest != "":
		return 0, neg, errors.New("junk after number")
	case !ok:
		return 0, neg, ErrRange
	}
	return v, neg, nil
}

// Int reads s as strtoul(s, &end, 0) does (17, 0x11 and 021 are all
// seventeen), but refuses what strtoul would wrap or a C int truncate: a
// minus sign, and anything above 2147483647.
func Int(s string) (int, error) {
	v, neg, err := Strtoul(s)
	switch {
	case err != nil:
		return 0, err
	case neg:
		return 0, errors.New("negative number")
	case v > math.MaxInt32:
		return 0, ErrRange
	}
	return int(v), nil
}

// CutSign drops the white space and the sign that strtoul allows before
// a number, and tells whether the sign was a minus.
func CutSign(s string) (rest string, neg bool) {
	for s != "" && IsSpace(s[0]) {
		s = s[1:]
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:], s[0] == '-'
	}
	return s, false
}

// CNumber reads the number at the start of s, which begins with a digit,
// as a C integer constant: 0x for hexadecimal, a leading 0 for octal. As
// in strtoul, "0x" with no hexadecimal digit after it is just the 0. It
// returns the rest of s, and ok false if the number needs over 64 bits.
func CNumber(s string) (v uint64, rest string, ok bool) {
	base, i := uint64(10), 0
	if s[0] == '0' {
		base, i = 8, 1
		if len(s) > 2 && (s[1] == 'x' || s[1] == 'X') && digitValue(s[2]) < 16 {
			base, i = 16, 2
		}
	}
	ok = true
	for ; i < len(s); i++ {
		d := digitValue(s[i])
		if d >= base {
			break
		}
		if v > (math.MaxUint64-d)/base {
			ok = false
		}
		v = v*base + d
	}
	return v, s[i:], ok
}

// digitValue is b's value as a digit in any base up to 16, or 99.
func digitValue(b byte) uint64 {
	switch {
	case IsDigit(b):
		return uint64(b - '0')
	case 'a' <= b && b <= 'f':
		return uint64(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return uint64(b-'A') + 10
	}
	return 99
}
