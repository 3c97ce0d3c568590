package core

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/sip"
)

// The phone line through network trouble: the server or the network not
// there yet when the agent starts, a new address while on a call.

// lineError tells the GUI that a registration that failed for now goes on
// by itself (the UA retries; its events say when the line is back).
func lineError(err error) error {
	var retrying *sip.RetryingError
	if errors.As(err, &retrying) {
		return &ui.ReconnectingError{Err: retrying.Err}
	}
	return err
}

// registerWhenReachable: the SIP server cannot be reached from here yet
// (no network, or the VPN and the DNS that knows the server not up), so no
// user agent can pick its address. The line shows Reconnecting, and the
// phone registers by itself as soon as a route to the server appears.
// A later Register, closeUA or close ends the wait.
func (p *phone) registerWhenReachable(acc ui.Account, cfg sip.Config, cause error) error {
	since := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	p.mu.Lock()
	if p.shut {
		p.mu.Unlock()
		cancel()
		return errors.New("the phone is shutting down")
	}
	stopOld := p.stopWait
	p.stopWait = cancel
	p.wg.Add(1) // under mu with the shut check: close waits for it
	p.mu.Unlock()
	if stopOld != nil {
		stopOld()
	}
	p.c.log.Warn("the SIP server cannot be reached yet: registering once it can", "server", acc.Server, "err", cause)
	p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegReconnecting, Server: acc.Server,
		Detail: oneLine(cause), Since: since}})
	go func() {
		defer p.wg.Done()
		if err := sip.WaitNetwork(ctx, cfg, p.c.opts.SIPOptions...); err != nil {
			return // replaced, or the phone closes
		}
		p.mu.Lock()
		mine := p.ctxIsWait(ctx)
		if mine {
			p.stopWait = nil
		}
		p.mu.Unlock()
		if !mine {
			return
		}
		cancel()
		rctx, done := context.WithTimeout(context.Background(), 2*requestTimeout)
		defer done()
		err := p.Register(rctx, acc)
		var pending *ui.ReconnectingError
		if err != nil && !errors.As(err, &pending) {
			p.c.log.Warn("registering once the network came", "err", err)
			p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegFailed, Server: acc.Server,
				Detail: oneLine(err), Since: since}})
		}
	}()
	return &ui.ReconnectingError{Err: cause, Since: since}
}

// ctxIsWait reports whether ctx is still the pending wait's (under mu):
// a Register since has replaced it.
func (p *phone) ctxIsWait(ctx context.Context) bool {
	return p.stopWait != nil && ctx.Err() == nil
}

// stopWaiting ends a pending registerWhenReachable.
func (p *phone) stopWaiting() {
	p.mu.Lock()
	stop := p.stopWait
	p.stopWait = nil
	p.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// addressMoved is the change when the network check found our address
// toward the server changed: the UA's socket is bound to the old one.
func addressMoved(why error) (*sip.NetworkChangeError, bool) {
	var change *sip.NetworkChangeError
	if errors.As(why, &change) && change.Change == sip.AddressChanged {
		return change, true
	}
	return nil, false
}

// onCallMoved tells the agent, during a call, that the computer's address
// changed: the call's audio goes through the old one, which may be gone.
// The user agent is rebuilt on the new address once the calls end.
func (p *phone) onCallMoved(change *sip.NetworkChangeError, server string, since time.Time) {
	p.mu.Lock()
	p.moved = true
	p.mu.Unlock()
	p.c.log.Warn("the network address changed during a call", "from", change.Old, "to", change.New)
	p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegReconnecting, Server: server, Since: since,
		Detail: "your network changed during the call (address " + addrText(change.Old) + " is now " + addrText(change.New) +
			"): if the customer no longer hears you, hang up and call them back; the phone line comes back after the call"}})
}

// rebindAfterCall rebuilds the user agent on the new address once the last
// call that kept the old one has ended.
func (p *phone) rebindAfterCall() {
	p.mu.Lock()
	due := p.moved && len(p.calls) == 0 && !p.rebuilding && !p.shut
	if due {
		p.moved = false
	}
	p.mu.Unlock()
	if due {
		p.rebuild("the calls on the old address have ended")
	}
}

func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return "none"
	}
	return a.String()
}

// lineDown shows that the line is down and the UA registers again by
// itself; a new address means a new user agent (its socket is bound to
// the old one), now or, during a call, once the calls end.
func (p *phone) lineDown(ev sip.Reconnecting, server string) {
	p.c.log.Warn("phone line lost, reconnecting", "server", server, "since", ev.Since, "err", ev.Err)
	change, moved := addressMoved(ev.Err)
	if moved && p.c.opts.SIPListen == "" {
		p.mu.Lock()
		onCall := len(p.calls) > 0
		p.mu.Unlock()
		if onCall {
			p.onCallMoved(change, server, ev.Since)
			return
		}
	}
	p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegReconnecting, Server: server,
		Detail: oneLine(ev.Err), Since: ev.Since}})
	if moved && p.c.opts.SIPListen == "" {
		p.rebuild("our address changed from " + addrText(change.Old) + " to " + addrText(change.New))
	}
}

// rebuild makes a new user agent for the last account on the computer's
// current address, unless one is being made or calls are up.
func (p *phone) rebuild(why string) {
	p.mu.Lock()
	busy, acc := len(p.calls) > 0 || p.rebuilding || p.shut || p.offShift, p.acc
	if !busy {
		p.rebuilding = true
		p.wg.Add(1) // under mu with the shut check: close waits for it
	}
	p.mu.Unlock()
	if busy {
		return
	}
	p.c.log.Info("rebuilding the SIP user agent on the new address", "why", why)
	go func() {
		defer p.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
		defer cancel()
		err := p.Register(ctx, acc)
		p.mu.Lock()
		p.rebuilding = false
		p.mu.Unlock()
		var pending *ui.ReconnectingError
		if err != nil && !errors.As(err, &pending) {
			p.c.log.Warn("registering on the new address", "err", err)
			p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegFailed, Server: acc.Server, Detail: oneLine(err)}})
		}
	}()
}
