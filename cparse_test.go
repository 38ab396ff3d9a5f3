package main

import (
	"net/netip"
	"reflect"
	"testing"

	"tcp-socket-listen/internal/cmodel"
)

func TestFields(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []string
	}{
		{"", nil},
		{" \t\n\v\f\r", nil},
		{"http 80/tcp www # web", []string{"http", "80/tcp", "www", "#", "web"}},
		{"a\u00a0b", []string{"a\u00a0b"}}, // not C white space
	} {
		if got := cFields(c.s); !reflect.DeepEqual(got, c.want) {
			t.Errorf("cFields(%q) = %q; want %q", c.s, got, c.want)
		}
	}
}

// FuzzStrtoul checks strtoul against the model: the value, the sign, and
// an error for whatever strtoul would not read whole or that needs over
// 64 bits.
func FuzzStrtoul(f *testing.F) {
	for _, s := range []string{"5", "0", "0x11", "021", " +7", "-1", "-0", "08", "0x", "", "18446744073709551615", "18446744073709551616", "\t12", "12 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, neg, err := strtoul(s)
		ok, mneg, mv, fits := cmodel.Strtoul(s)
		switch {
		case ok && fits:
			if err != nil || v != mv || neg != mneg {
				t.Fatalf("strtoul(%q) = %d, %v, %v; want %d, %v", s, v, neg, err, mv, mneg)
			}
		case ok:
			if err != errRange {
				t.Fatalf("strtoul(%q) = %d, %v; want errRange", s, v, err)
			}
		case err == nil:
			t.Fatalf("strtoul(%q) = %d; want an error", s, v)
		}
	})
}

// FuzzInetAton checks inetAton against the model written from the manual
// page; an address it gives reads back as itself.
func FuzzInetAton(f *testing.F) {
	for _, s := range []string{"127.0.0.1", "127.1", "0", "0x7f.1", "0177.0.0.1", "4294967295", "4294967296", "1.2.3.4.5", "1.", ".1", "08",
		"::1", "1.2.3.4%lo", "", "0x", "1.16777215", "1.2.65535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := inetAton(s)
		want, wok := cmodel.InetAton(s)
		if ok != wok || got != want {
			t.Fatalf("inetAton(%q) = %v, %v; inet_aton gives %v, %v", s, got, ok, want, wok)
		}
		if ok {
			if again, _ := netip.ParseAddr(got.String()); again != got {
				t.Fatalf("%q: %v does not read back as itself", s, got)
			}
		}
	})
}
