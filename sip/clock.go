package sip

import "time"

// Clock is where the user agent's own schedule comes from: registration
// refresh and retry, keepalives, network checks, how long a hang-up waits
// for a provisional response, call timestamps. Tests pass a fake one and
// move time instead of sleeping. Per-request timeouts (RequestTimeout) stay
// on real time, as sipgo's transaction timers do.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer like time.Timer.
type Timer interface {
	C() <-chan time.Time
	// Stop and Reset behave as time.Timer's (Go 1.23+: no stale tick
	// is delivered after either returns).
	Stop() bool
	Reset(d time.Duration) bool
}

// SystemClock is the real clock; Config.Clock nil means this one.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (t systemTimer) C() <-chan time.Time        { return t.t.C }
func (t systemTimer) Stop() bool                 { return t.t.Stop() }
func (t systemTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }

// wallSince is the wall-clock time from then to now, ignoring the
// monotonic reading: a machine that slept shows here and not in timers.
func wallSince(now, then time.Time) time.Duration { return now.Round(0).Sub(then.Round(0)) }
