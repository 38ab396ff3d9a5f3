package main

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
)

// servicesPath is the services database, the one file that package net
// reads for service names too; NSS modules named in nsswitch.conf are not
// consulted.
const servicesPath = "/etc/services"

// lookupPort reads service as glibc's getaddrinfo does: "*" stands for no
// service, which is port 0; a number is read as strtoul(service, &end, 10)
// reads it, to the end; anything else, unless numeric forbids it, is a
// name in the services database. Unlike glibc, a minus sign and a number
// past 65535 are errors rather than wrapped round.
func lookupPort(service string, numeric bool) (int, error) {
	switch {
	case service == "":
		// getaddrinfo takes it for no service, port 0, as it does "*".
		return 0, errors.New("empty service")
	case service == "*":
		return 0, nil
	}
	digits, neg := cutSign(service)
	if allDigits(digits) {
		n, err := strconv.ParseUint(digits, 10, 16)
		switch {
		case neg:
			return 0, errors.New("negative port number")
		case err != nil:
			return 0, errors.New("port number out of range")
		}
		return int(n), nil
	}
	if numeric {
		return 0, errors.New("not a port number")
	}
	return servicePort(service)
}

// servicePort finds name's TCP port in the services database as glibc's
// files backend does: the first line whose name or one of whose aliases
// is name, compared exactly. Package net would fold case ("X11" finding
// x11) and take the last line, so this reads the file itself. A port past
// 65535 is an error, where glibc would truncate it.
func servicePort(name string) (int, error) {
	b, err := readFile(servicesPath)
	data := string(b)
	if err != nil && err != syscall.ENOENT {
		return 0, errors.New("reading " + servicesPath + ": " + err.Error())
	}
	for len(data) > 0 {
		var line string
		line, data, _ = strings.Cut(data, "\n")
		if number, ok := serviceLine(line, name, "tcp"); ok {
			port, err := strconv.ParseUint(number, 10, 16)
			if err != nil {
				return 0, errors.New(servicesPath + " gives port " + number + ", out of range")
			}
			return int(port), nil
		}
	}
	return 0, errors.New("unknown port")
}

// serviceLine reads one line of services(5), "name port/protocol
// aliases... # comment", and gives its port number if it is for proto
// and name is its name or an alias. A line whose port is not a decimal
// number is skipped, as glibc skips it.
func serviceLine(line, name, proto string) (string, bool) {
	line, _, _ = strings.Cut(line, "#")
	f := cFields(line)
	if len(f) < 2 {
		return "", false
	}
	number, p, _ := strings.Cut(f[1], "/")
	if !allDigits(number) || p != proto {
		return "", false
	}
	for i, n := range f {
		if i != 1 && n == name {
			return number, true
		}
	}
	return "", false
}
