package media

import (
	"sync"
	"time"
)

// fakeClock only moves when Advance is called; tickers fire (dropping
// ticks like time.Ticker) as time passes their deadlines.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	tickers []*fakeTicker
	created chan struct{} // one value per NewTicker call
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Unix(1_700_000_000, 0), created: make(chan struct{}, 16)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTicker(d time.Duration) Ticker {
	c.mu.Lock()
	t := &fakeTicker{c: make(chan time.Time, 1), d: d, next: c.now.Add(d), clock: c}
	c.tickers = append(c.tickers, t)
	c.mu.Unlock()
	c.created <- struct{}{}
	return t
}

// Advance moves time forward by d, firing due tickers.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.tickers {
		if t.stopped {
			continue
		}
		fired := false
		for !t.next.After(c.now) {
			t.next = t.next.Add(t.d)
			fired = true
		}
		if fired {
			select {
			case t.c <- c.now:
			default:
			}
		}
	}
}

type fakeTicker struct {
	c       chan time.Time
	d       time.Duration
	next    time.Time
	stopped bool
	clock   *fakeClock
}

func (t *fakeTicker) C() <-chan time.Time { return t.c }

func (t *fakeTicker) Stop() {
	t.clock.mu.Lock()
	t.stopped = true
	t.clock.mu.Unlock()
}
