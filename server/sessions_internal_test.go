package server

import (
	"strconv"
	"testing"
	"time"
)

// TestSessionCache: a live session is remembered for liveCacheTTL; a forget
// (a revocation) drops it, and an answer read before the forget is not
// remembered after it (a request that found the session live just before
// the logout committed must not make it live again for 5 s).
func TestSessionCache(t *testing.T) {
	var c sessionCache
	t0 := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	gen, ok := c.fresh("s1", t0)
	if ok {
		t.Fatal("an empty cache says s1 is live")
	}
	c.remember("s1", t0, gen)
	if _, ok := c.fresh("s1", t0.Add(liveCacheTTL-time.Millisecond)); !ok {
		t.Fatal("s1 forgotten before liveCacheTTL")
	}
	if _, ok := c.fresh("s1", t0.Add(liveCacheTTL)); ok {
		t.Fatal("s1 still live after liveCacheTTL")
	}
	if _, ok := c.fresh("s1", t0.Add(-time.Second)); ok {
		t.Fatal("s1 live at a time before it was seen (clock stepped back)")
	}

	// A request reads the generation, asks the database (live), and a
	// revocation commits and forgets before it remembers the answer.
	gen, _ = c.fresh("s2", t0)
	c.forget()
	c.remember("s2", t0, gen)
	if _, ok := c.fresh("s2", t0); ok {
		t.Fatal("an answer read before a forget was remembered after it")
	}
	if _, ok := c.fresh("s1", t0); ok {
		t.Fatal("s1 still remembered after a forget")
	}

	// The cache is bounded.
	gen, _ = c.fresh("", t0)
	for i := range liveCacheMax + 10 {
		c.remember(strconv.Itoa(i), t0, gen)
	}
	if n := len(c.seen); n > liveCacheMax {
		t.Fatalf("%d sessions remembered, want at most %d", n, liveCacheMax)
	}
}
