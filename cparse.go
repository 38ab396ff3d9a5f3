package main

import (
	"errors"
	"math"
)

// Text read as the C library reads it: numbers as strtoul(3) does, white
// space as isspace(3) in the C locale. Package strconv is stricter, and
// the commands promise the C original's forms ("0x11", "021").

// errRange is strtoul's error for a number that needs over 64 bits.
var errRange = errors.New("number out of range")

// strtoul parses all of s the way C's strtoul(s, &end, 0) does, demanding
// that end reach the end of s: leading white space, an optional sign, then
// a decimal, 0x hexadecimal or 0 octal number of at most 64 bits. It
// reports a minus sign rather than wrapping around.
func strtoul(s string) (v uint64, neg bool, err error) {
	s, neg = cutSign(s)
	if s == "" || !isDigit(s[0]) {
		return 0, neg, errors.New("not a number")
	}
	v, rest, ok := cNumber(s)
	switch {
	case rest != "":
		return 0, neg, errors.New("junk after number")
	case !ok:
		return 0, neg, errRange
	}
	return v, neg, nil
}

// cInt reads s as strtoul(s, &end, 0) does (17, 0x11 and 021 are all
// seventeen), but refuses what strtoul would wrap or a C int truncate: a
// minus sign, and anything above 2147483647.
func cInt(s string) (int, error) {
	v, neg, err := strtoul(s)
	switch {
	case err != nil:
		return 0, err
	case neg:
		return 0, errors.New("negative number")
	case v > math.MaxInt32:
		return 0, errRange
	}
	return int(v), nil
}

// cutSign drops the white space and the sign that strtoul allows before
// a number, and tells whether the sign was a minus.
func cutSign(s string) (rest string, neg bool) {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	if s != "" && (s[0] == '+' || s[0] == '-') {
		return s[1:], s[0] == '-'
	}
	return s, false
}

// cNumber reads the number at the start of s, which begins with a digit,
// as a C integer constant: 0x for hexadecimal, a leading 0 for octal. As
// in strtoul, "0x" with no hexadecimal digit after it is just the 0. It
// returns the rest of s, and ok false if the number needs over 64 bits.
func cNumber(s string) (v uint64, rest string, ok bool) {
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
	case isDigit(b):
		return uint64(b - '0')
	case 'a' <= b && b <= 'f':
		return uint64(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return uint64(b-'A') + 10
	}
	return 99
}

// isDigit is C's isdigit.
func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isSpace is C's isspace in the C locale.
func isSpace(b byte) bool { return b == ' ' || '\t' <= b && b <= '\r' }

// cFields splits s around runs of C white space, as the C library's
// readers of services(5) and /proc files do; strings.Fields would split
// at Unicode spaces too.
func cFields(s string) []string {
	var f []string
	for s != "" {
		i := 0
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		if i > 0 {
			f = append(f, s[:i])
		}
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		s = s[i:]
	}
	return f
}
