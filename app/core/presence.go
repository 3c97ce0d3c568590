package core

import (
	"context"
	"errors"
	"sync"

	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/sip"
)

// The agent's state as SIP presence (RFC 3903 PUBLISH of a PIDF document)
// at the registrar's presence server, so any presence-aware phone or PBX
// shows it: published at each state change of the shift and at each
// registration, removed at clock-out. A server that does not take PUBLISH is asked once per user
// agent; IT turns it off with policy sip.presence.

// presenceOf is what a shift state looks like as presence.
func presenceOf(st shift.State, r shift.Reason) (sip.Presence, bool) {
	p := sip.Presence{State: st.String(), Reason: string(r.Code)}
	switch st {
	case shift.Available:
		p.Open, p.Note = true, "Available"
	case shift.OnCall:
		p.Open, p.Activity, p.Note = true, "on-the-phone", "On a call"
	case shift.WrapUp:
		p.Activity, p.Note = "busy", "Wrap-up"
	case shift.NotReady:
		p.Activity, p.Note = "busy", "Not ready"
		if r.Message != "" {
			p.Note += ": " + r.Message
		} else if r.Code != "" {
			p.Note += ": " + string(r.Code)
		}
	case shift.Break:
		p.Activity, p.Note = "away", "Break"
		if r.Code != "" {
			p.Note += ": " + string(r.Code)
		}
	default: // offline, checking: nothing to show
		return sip.Presence{}, false
	}
	return p, true
}

// presenceWorker publishes the latest state on its own goroutine, so a
// state change never waits for the network; changes that come faster than
// the server answers are coalesced.
type presenceWorker struct {
	c *Core

	mu      sync.Mutex
	want    *sip.Presence // nil: nothing published
	ua      *sip.UA       // the UA the server refused PUBLISH on
	refused bool
	asked   uint64     // changes asked for
	sent    uint64     // changes handled (published, or given up)
	handled *sync.Cond // broadcast when sent moves

	kick chan struct{}
}

func newPresenceWorker(c *Core) *presenceWorker {
	w := &presenceWorker{c: c, kick: make(chan struct{}, 1)}
	w.handled = sync.NewCond(&w.mu)
	return w
}

// waitHandled returns once every change asked for so far was handled
// (tests, and clock-out before the app quits).
func (w *presenceWorker) waitHandled(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	target := w.asked
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.handled.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	for w.sent < target {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.handled.Wait()
	}
	return nil
}

// onShift takes the machine's events (on the goroutine that moved it).
func (w *presenceWorker) onShift(ev shift.Event) {
	switch ev := ev.(type) {
	case shift.StateChanged:
		p, ok := presenceOf(ev.To, ev.Reason)
		w.mu.Lock()
		if ok {
			w.want = &p
		} else {
			w.want = nil
		}
		w.mu.Unlock()
	case shift.ClockedOut:
		w.mu.Lock()
		w.want = nil
		w.mu.Unlock()
	default:
		return
	}
	w.mu.Lock()
	w.asked++
	w.mu.Unlock()
	w.poke()
}

// registered publishes the current state again on each registration
// (sip.Registered): the first may come long after Register returned (a
// *sip.RetryingError: the UA registers later by itself), and a registrar
// that lost us (a restart, an outage, found at the refresh) has lost our
// publication too. Between outages that is one PUBLISH per refresh.
func (w *presenceWorker) registered() {
	w.mu.Lock()
	w.asked++
	w.mu.Unlock()
	w.poke()
}

func (w *presenceWorker) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// run publishes until ctx ends.
func (w *presenceWorker) run(ctx context.Context) {
	var published *sip.UA // where our presence currently is
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		}
		if !w.c.policy.SIP.Presence {
			w.mu.Lock()
			asked := w.asked
			w.mu.Unlock()
			w.done(asked)
			continue
		}
		ua := w.c.phone.currentUA()
		w.mu.Lock()
		want, refused, asked := w.want, w.refused && w.ua == ua, w.asked
		w.mu.Unlock()
		if ua == nil || refused {
			w.done(asked)
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, requestTimeout)
		var err error
		switch {
		case want != nil:
			err = ua.Publish(pctx, *want)
			if err == nil {
				published = ua
			}
		case published == ua:
			err = ua.Unpublish(pctx)
			published = nil
		}
		cancel()
		switch {
		case errors.Is(err, sip.ErrNoPresenceServer):
			w.c.log.Info("the SIP server does not take presence: the agent's state is not published", "err", err)
			w.mu.Lock()
			w.ua, w.refused = ua, true
			w.mu.Unlock()
		case err != nil && ctx.Err() == nil:
			w.c.log.Warn("publishing the agent's presence", "err", err)
		}
		w.done(asked)
	}
}

// done records that the changes up to asked are handled.
func (w *presenceWorker) done(asked uint64) {
	w.mu.Lock()
	w.sent = max(w.sent, asked)
	w.handled.Broadcast()
	w.mu.Unlock()
}
