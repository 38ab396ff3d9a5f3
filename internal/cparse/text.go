package cparse

// IsDigit is C's isdigit.
func IsDigit(b byte) bool { return '0' <= b && b <= '9' }

// IsSpace is C's isspace in the C locale.
func IsSpace(b byte) bool { return b == ' ' || '\t' <= b && b <= '\r' }

// AllDigits tells whether s is one or more decimal digits and nothing else.
func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !IsDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// Fields splits s around runs of C white space, as the C library's
// readers of services(5) and /proc files do; strings.Fields would split
// at Unicode spaces too.
func Fields(s string) []string {
	var f []string
	for s != "" {
		i := 0
		for i < len(s) && !IsSpace(s[i]) {
			i++
		}
		if i > 0 {
			f = append(f, s[:i])
		}
		for i < len(s) && IsSpace(s[i]) {
			i++
		}
		s = s[i:]
	}
	return f
}
