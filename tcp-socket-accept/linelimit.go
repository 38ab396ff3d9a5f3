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

// lineLimit counts the ERROR lines written, by their text: each text has
// a second of its own, begun at its first line, in which it is written
// sameLinesPerSecond times at most. The next line written with that
// text, in a later second, says how many were left out.
type lineLimit struct {
	mu    sync.Mutex
	texts map[string]*lineCount
}

type lineCount struct {
	since   time.Time // when its second began
	written int       // lines written in it
	left    int       // lines left out since the last one written
}

// forgetAfter is how long a text is remembered after its second ended;
// texts are swept only once there are more than forgetBeyond.
const (
	forgetAfter  = time.Minute
	forgetBeyond = 64
)

func newLineLimit() *lineLimit {
	return &lineLimit{texts: map[string]*lineCount{}}
}

// allow tells whether the line text may be written now, and gives the
// note to add to it, if any; a nil limit allows every line.
func (ll *lineLimit) allow(text string, now time.Time) (note string, ok bool) {
	if ll == nil {
		return "", true
	}
	ll.mu.Lock()
	defer ll.mu.Unlock()
	c := ll.texts[text]
	if c == nil {
		ll.sweep(now)
		c = &lineCount{since: now}
		ll.texts[text] = c
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

// sweep forgets the texts whose second is long past, once there are many:
// one that had lines left out, but is quiet since, is not reported.
func (ll *lineLimit) sweep(now time.Time) {
	if len(ll.texts) < forgetBeyond {
		return
	}
	for text, c := range ll.texts {
		if now.Sub(c.since) >= forgetAfter || now.Sub(c.since) >= time.Second && c.left == 0 {
			delete(ll.texts, text)
		}
	}
}
