package sip

import (
	"sort"
	"sync"
	"time"
)

// FakeClock is a Clock that tests move by hand. Exported (in a _test file)
// for the sip_test package.
type FakeClock struct {
	mu     sync.Mutex
	mono   time.Time     // what timers run on
	slept  time.Duration // wall time the "machine" spent asleep (Suspend)
	timers []*fakeTimer
	armed  []armWaiter
}

type armWaiter struct {
	n  int
	ch chan struct{}
}

// WaitArmed returns a channel closed once at least n timers are armed:
// the code under test has reached the point where it waits on the clock.
func (c *FakeClock) WaitArmed(n int) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if len(c.timers) >= n {
		close(ch)
		return ch
	}
	c.armed = append(c.armed, armWaiter{n, ch})
	return ch
}

// NewFakeClock starts at a fixed Monday morning.
func NewFakeClock() *FakeClock {
	return &FakeClock{mono: time.Date(2025, 1, 6, 9, 0, 0, 0, time.UTC)}
}

// Now is the wall time: timer time plus any time spent asleep.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mono.Add(c.slept)
}

// NewTimer arms a timer for d from now.
func (c *FakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, ch: make(chan time.Time, 1)}
	t.armLocked(d)
	return t
}

// Advance moves time by d, firing the timers that fall due, in order.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	end := c.mono.Add(d)
	for {
		sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].when.Before(c.timers[j].when) })
		if len(c.timers) == 0 || c.timers[0].when.After(end) {
			break
		}
		t := c.timers[0]
		c.timers = c.timers[1:]
		c.mono = t.when
		select {
		case t.ch <- c.mono.Add(c.slept):
		default:
		}
	}
	c.mono = end
}

// Suspend moves the wall clock by d without firing any timer, as a
// machine that slept: monotonic timers did not run meanwhile.
func (c *FakeClock) Suspend(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept += d
}

// Armed is how many timers are waiting to fire.
func (c *FakeClock) Armed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

type fakeTimer struct {
	clock *FakeClock
	ch    chan time.Time
	when  time.Time
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	return t.disarmLocked()
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.clock.mu.Lock()
	defer t.clock.mu.Unlock()
	active := t.disarmLocked()
	t.armLocked(d)
	return active
}

// disarmLocked removes the timer and any undelivered tick (Go 1.23 timers).
func (t *fakeTimer) disarmLocked() bool {
	select {
	case <-t.ch:
	default:
	}
	for i, other := range t.clock.timers {
		if other == t {
			t.clock.timers = append(t.clock.timers[:i], t.clock.timers[i+1:]...)
			return true
		}
	}
	return false
}

func (t *fakeTimer) armLocked(d time.Duration) {
	c := t.clock
	t.when = c.mono.Add(d)
	c.timers = append(c.timers, t)
	waiting := c.armed[:0]
	for _, w := range c.armed {
		if len(c.timers) >= w.n {
			close(w.ch)
		} else {
			waiting = append(waiting, w)
		}
	}
	c.armed = waiting
}
