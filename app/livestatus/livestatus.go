// Package livestatus reports the agent's state, current call and live call
// quality to the backend (PUT /v1/live/status) so supervisors see them on
// the wallboard: at once on a change, every few seconds while quality
// moves, and as a heartbeat otherwise (the backend derives "connected" from
// it). Only the newest status matters, so nothing is queued: after an
// outage the next send carries the state of now.
//
//	r := livestatus.New(sender, livestatus.Options{})
//	go r.Run(ctx)
//	r.SetState("available", "", time.Now())
//	r.SetCall(&api.LiveCall{...}); r.SetQuality(callID, q); r.SetCall(nil)
package livestatus

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// Defaults for zero Options fields.
const (
	// DefaultHeartbeat keeps the agent "connected" on the wallboard (the
	// server's presence timeout is three heartbeats).
	DefaultHeartbeat = 15 * time.Second
	// DefaultQualityEvery is how often live quality goes out during a call.
	DefaultQualityEvery = 5 * time.Second
	DefaultMinBackoff   = time.Second
	DefaultMaxBackoff   = 30 * time.Second
)

// Sender delivers one status. backend.HTTPBackend-based senders come from
// NewHTTPSender.
type Sender interface {
	SendStatus(ctx context.Context, st api.LiveStatus) error
}

// Options tune a Reporter; all optional.
type Options struct {
	Heartbeat    time.Duration
	QualityEvery time.Duration
	MinBackoff   time.Duration
	MaxBackoff   time.Duration
	// Now is the clock; time.Now when nil.
	Now    func() time.Time
	Logger *slog.Logger
	// Sent, if set, is called after each status the backend accepted (tests).
	Sent func(api.LiveStatus)
}

// Reporter holds the newest status and sends it.
type Reporter struct {
	send Sender
	opt  Options

	mu sync.Mutex
	st api.LiveStatus
	// urgent: a change supervisors must see now (state, call); quality
	// changes wait for QualityEvery.
	urgent, dirty bool
	lastSent      time.Time
	kick          chan struct{}
}

// New returns a Reporter for an agent that is offline until SetState.
func New(send Sender, opt Options) *Reporter {
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = DefaultHeartbeat
	}
	if opt.QualityEvery <= 0 {
		opt.QualityEvery = DefaultQualityEvery
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = DefaultMinBackoff
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	r := &Reporter{send: send, opt: opt, kick: make(chan struct{}, 1)}
	r.st = api.LiveStatus{State: api.StateOffline, StateSince: opt.Now().UTC()}
	r.urgent, r.dirty = true, true
	return r
}

func (r *Reporter) change(urgent bool, fn func(*api.LiveStatus)) {
	r.mu.Lock()
	fn(&r.st)
	r.dirty = true
	r.urgent = r.urgent || urgent
	r.mu.Unlock()
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// SetState records the agent's state (api.State* names), its reason and
// since when.
func (r *Reporter) SetState(state, reason string, since time.Time) {
	r.change(true, func(st *api.LiveStatus) { st.State, st.Reason, st.StateSince = state, reason, since.UTC() })
}

// SetCall records the call in progress (ringing or answered); nil when none.
func (r *Reporter) SetCall(c *api.LiveCall) {
	r.change(true, func(st *api.LiveStatus) {
		if c == nil {
			st.Call = nil
			return
		}
		cp := *c
		if st.Call != nil && st.Call.ID == c.ID && cp.Quality == nil {
			cp.Quality = st.Call.Quality
		}
		st.Call = &cp
	})
}

// SetCalls records the call the agent is in (ringing or answered) and a
// call ringing meanwhile (call waiting), either nil when none, in one
// change: a waiting call never shows in the place of the current one.
func (r *Reporter) SetCalls(current, waiting *api.LiveCall) {
	r.change(true, func(st *api.LiveStatus) {
		var cur *api.LiveCall
		if current != nil {
			cp := *current
			if st.Call != nil && st.Call.ID == cp.ID && cp.Quality == nil {
				cp.Quality = st.Call.Quality
			}
			cur = &cp
		}
		st.Call, st.Waiting = cur, nil
		if waiting != nil {
			cp := *waiting
			st.Waiting = &cp
		}
	})
}

// SetLine records the phone line's state; a change goes out at once (a
// line down must not show as Available for long).
func (r *Reporter) SetLine(l api.LiveLine) {
	r.change(true, func(st *api.LiveStatus) {
		if l.Since != nil {
			since := l.Since.UTC()
			l.Since = &since
		}
		st.Line = &l
	})
}

// SetQuality records the live quality of the current call.
func (r *Reporter) SetQuality(callID string, q api.CallQuality) {
	r.change(false, func(st *api.LiveStatus) {
		if st.Call != nil && st.Call.ID == callID {
			cp := *st.Call
			cp.Quality = &q
			st.Call = &cp
		}
	})
}

// SetSIPURI records where the app takes SIP (supervisors' monitor calls).
func (r *Reporter) SetSIPURI(uri string) {
	r.change(false, func(st *api.LiveStatus) { st.SIPURI = uri })
}

// Status returns the status as it would be sent now.
func (r *Reporter) Status() api.LiveStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// due returns how long until the next send (0 = now).
func (r *Reporter) due(now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	next := r.lastSent.Add(r.opt.Heartbeat)
	switch {
	case r.urgent:
		return 0
	case r.dirty:
		next = r.lastSent.Add(r.opt.QualityEvery)
	}
	if d := next.Sub(now); d > 0 {
		return d
	}
	return 0
}

// Flush sends the status now.
func (r *Reporter) Flush(ctx context.Context) error {
	r.mu.Lock()
	st := r.st
	st.At = r.opt.Now().UTC()
	if st.StateSince.After(st.At) {
		st.StateSince = st.At
	}
	r.urgent, r.dirty = false, false
	r.mu.Unlock()
	if err := r.send.SendStatus(ctx, st); err != nil {
		r.mu.Lock()
		r.urgent, r.dirty = true, true
		r.mu.Unlock()
		return err
	}
	r.mu.Lock()
	r.lastSent = r.opt.Now()
	r.mu.Unlock()
	if r.opt.Sent != nil {
		r.opt.Sent(st)
	}
	return nil
}

// Run sends until ctx ends: changes at once, quality every QualityEvery,
// a heartbeat every Heartbeat; after a failure it backs off (with jitter,
// changes do not cut the wait short) and then sends the newest status.
func (r *Reporter) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if backoff > 0 {
			timer.Reset(backoff/2 + rand.N(backoff/2+1))
			select {
			case <-ctx.Done():
				return nil
			case <-timer.C:
			}
		} else if wait := r.due(r.opt.Now()); wait > 0 {
			timer.Reset(wait)
			select {
			case <-ctx.Done():
				return nil
			case <-r.kick:
				timer.Stop() // Go >= 1.23: no stale tick after Stop
				continue
			case <-timer.C:
				continue // due again: quality or heartbeat time came
			}
		}
		if err := r.Flush(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(max(backoff*2, r.opt.MinBackoff), r.opt.MaxBackoff)
			r.opt.Logger.Warn("live status not sent; retrying", "in", backoff, "err", err)
			continue
		}
		backoff = 0
	}
}
