package media

import "time"

// Clock is the one source of time for pacing, playout and the jitter buffer,
// so they can be tested with a fake clock instead of sleeping.
type Clock interface {
	Now() time.Time
	NewTicker(d time.Duration) Ticker
}

// Ticker delivers ticks like time.Ticker; slow readers miss ticks instead of
// queueing them, so users count frames due from Now rather than ticks.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// SystemClock returns the wall clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTicker(d time.Duration) Ticker { return systemTicker{time.NewTicker(d)} }

type systemTicker struct{ t *time.Ticker }

func (t systemTicker) C() <-chan time.Time { return t.t.C }
func (t systemTicker) Stop()               { t.t.Stop() }
