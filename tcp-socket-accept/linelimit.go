package main

import (
	"strconv"
	"sync"
	"time"
)

// sameLinesPerSecond is how many times a second the server writes one
// ERROR line at most. A cause that repeats, such as a storm of aborted
// connections or a resource that stays short, would otherwise fill the
// log as fast as the loops can go round.
const sameLinesPerSecond = 5

// lineLimit counts the ERROR lines written, by their cause: the text
// without what changes from one client to the next (its address and
// port), so that a cause that comes with every connection is limited as
// one. Each cause has a second of its own, begun at its first line, in
// which sameLinesPerSecond lines are written at most. The next line
// written for that cause, in a later second, says how many were left
// out.
type lineLimit struct {
	mu        sync.Mutex
	texts     map[string]*lineCount // by cause
	lastSweep time.Time
}

type lineCount struct {
	since   time.Time // when its second began
	written int       // lines written in it
	left    int       // lines left out since the last one written
}

// forgetAfter is how long a cause is remembered after its second ended;
// causes are swept only once there are more than forgetBeyond, and at
// most once a second. Past causesAtMost, new causes share one count.
const (
	forgetAfter  = time.Minute
	forgetBeyond = 64
	causesAtMost = 1024
)

func newLineLimit() *lineLimit {
	return &lineLimit{texts: map[string]*lineCount{}}
}

// allow tells whether a line for cause may be written now, and gives the
// note to add to it, if any; a nil limit allows every line.
func (ll *lineLimit) allow(cause string, now time.Time) (note string, ok bool) {
	if ll == nil {
		return "", true
	}
	ll.mu.Lock()
	defer ll.mu.Unlock()
	c := ll.texts[cause]
	if c == nil {
		ll.sweep(now)
		if len(ll.texts) >= causesAtMost {
			cause = "" // the overflow's count
		}
		if c = ll.texts[cause]; c == nil {
			c = &lineCount{since: now}
			ll.texts[cause] = c
		}
	}
	if now.Sub(c.since) >= time.Second {
		c.since, c.written = now, 0
	}
	if c.written >= sameLinesPerSecond {
		c.left++
		return "", false
	}
	c.written++
	if c.left > 0 {
		note = " (" + strconv.Itoa(c.left) + " more like it not written)"
		c.left = 0
	}
	return note, true
}

// sweep forgets the causes whose second is long past, once there are
// many, and at most once a second: one that had lines left out, but is
// quiet since, is not reported.
func (ll *lineLimit) sweep(now time.Time) {
	if len(ll.texts) < forgetBeyond || now.Sub(ll.lastSweep) < time.Second {
		return
	}
	ll.lastSweep = now
	for text, c := range ll.texts {
		if now.Sub(c.since) >= forgetAfter || now.Sub(c.since) >= time.Second && c.left == 0 {
			delete(ll.texts, text)
		}
	}
}
