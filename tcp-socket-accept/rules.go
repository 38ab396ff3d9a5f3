package main

import (
	"bytes"
)

// tcpserver's access rules, as tcprules(1) compiles them into a cdb and
// tcpserver and tcprulescheck(1) read them.
//
// tcpserver looks up, in order, $TCPREMOTEINFO@$TCPREMOTEIP and
// $TCPREMOTEINFO@=$TCPREMOTEHOST, $TCPREMOTEIP, =$TCPREMOTEHOST, the
// prefixes of $TCPREMOTEIP ending with a dot (and, in ucspi-tcp-ipv6's,
// with a colon), longest first, the suffixes of =$TCPREMOTEHOST that
// start with a dot, longest first, =, and the empty key, each only when
// the variables it needs are set. This server never sets TCPREMOTEINFO,
// so a rule for a user (info@) never matches, as with tcpserver -R; it
// sets TCPREMOTEHOST with -h, when a name is found, and the =host, the
// =.suffix and the = rules are looked up only then, as with tcpserver
// -H without it. The address is TCPREMOTEIP as the child gets it, but
// for an IPv4 client of a combined IPv6 socket, ::ffff:a.b.c.d to the
// child, whose rules are a.b.c.d's, as ucspi-tcp-ipv6's tcpserver looks
// them up (its tcprules(1): mapped addresses "will be converted to IPv4
// before looking at the rules"). An IPv6 address's prefixes end with a
// colon: 2001:db8::, 2001:db8:, 2001:, as ucspi-tcp-ipv6's tcprulescheck
// looks them up; Debian's ucspi-tcp, which knows IPv4 alone, has none.

// verdict is what the rules say of one client.
type verdict struct {
	found bool   // a rule decided; with none, the client is allowed
	rule  string // the key of that rule
	deny  bool
	env   []ruleVar // for an allowed client, in the rule's order
}

// ruleVar is a variable that a rule sets.
type ruleVar struct {
	name, value string
}

// decide looks up the rule for the client at ip, the text of
// TCPREMOTEIP, named host, the text of TCPREMOTEHOST ("" for none).
func decide(db cdb, ip, host string) (verdict, error) {
	if v, err := ruleFor(db, ip); v.found || err != nil {
		return v, err
	}
	if host != "" {
		if v, err := ruleFor(db, "="+host); v.found || err != nil {
			return v, err
		}
	}
	// The prefixes ending with a dot or a colon, longest first; the
	// whole address has been looked up already.
	for n := len(ip) - 1; n > 0; n-- {
		if ip[n-1] != '.' && ip[n-1] != ':' {
			continue
		}
		if v, err := ruleFor(db, ip[:n]); v.found || err != nil {
			return v, err
		}
	}
	if host != "" {
		// The suffixes starting with a dot, longest first, then "=".
		for i := 0; i < len(host); i++ {
			if host[i] != '.' {
				continue
			}
			if v, err := ruleFor(db, "="+host[i:]); v.found || err != nil {
				return v, err
			}
		}
		if v, err := ruleFor(db, "="); v.found || err != nil {
			return v, err
		}
	}
	return ruleFor(db, "")
}

// ruleFor is the rule of key, if there is one.
func ruleFor(db cdb, key string) (verdict, error) {
	data, found, err := db.find(key)
	if !found || err != nil {
		return verdict{}, err
	}
	v := parseRule(data)
	v.found, v.rule = true, key
	return v, nil
}

// parseRule reads a rule's data as tcpserver does: entries, each ended by
// a NUL; one starting with D denies, one starting with + sets the
// variable NAME=VALUE that follows, split at the first '='. Anything
// else, an entry without '=', and bytes after the last NUL, are passed
// over. tcprules writes "D\0" for deny, nothing for allow, then an entry
// for each variable.
func parseRule(data []byte) verdict {
	var v verdict
	for {
		end := bytes.IndexByte(data, 0)
		if end < 0 {
			break
		}
		entry := data[:end]
		data = data[end+1:]
		switch {
		case len(entry) > 0 && entry[0] == 'D':
			v.deny = true
		case len(entry) > 0 && entry[0] == '+':
			if name, value, ok := bytes.Cut(entry[1:], []byte("=")); ok {
				v.env = append(v.env, ruleVar{string(name), string(value)})
			}
		}
	}
	if v.deny {
		v.env = nil
	}
	return v
}
