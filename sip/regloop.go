package sip

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Why a registration is renewed before its time; each is wrapped with details.
var (
	// ErrBindingLost: the registrar no longer has our contact (it answered
	// our own address of record with 404, 410 or 480, e.g. after a restart).
	ErrBindingLost = errors.New("the SIP server no longer knows where to reach us")
	// ErrConnectionLost: the TCP/TLS connection to the server closed or
	// stopped answering keepalives (RFC 5626 flow failure).
	ErrConnectionLost = errors.New("the connection to the SIP server was lost")
	// ErrNetworkChanged: the local address toward the server changed, the
	// network went down or came back, or the computer resumed from sleep.
	ErrNetworkChanged = errors.New("the network changed")
)

// NetworkChange is what a network check noticed.
type NetworkChange int

// What changed.
const (
	AddressChanged NetworkChange = iota + 1 // our local address toward the server
	LinkDown                                // no route to the server
	LinkUp                                  // a route again after LinkDown
	Resumed                                 // the wall clock jumped: the computer slept
)

// NetworkChangeError says what changed; it wraps ErrNetworkChanged.
type NetworkChangeError struct {
	Change   NetworkChange
	Old, New netip.Addr    // AddressChanged
	Slept    time.Duration // Resumed: about how long
	Err      error         // LinkDown: why there is no route
}

func (e *NetworkChangeError) Error() string {
	switch e.Change {
	case AddressChanged:
		return fmt.Sprintf("%v: our address changed from %s to %s", ErrNetworkChanged, e.Old, e.New)
	case LinkDown:
		return fmt.Sprintf("%v: no route to the SIP server (%v)", ErrNetworkChanged, e.Err)
	case LinkUp:
		return fmt.Sprintf("%v: the network is back", ErrNetworkChanged)
	default:
		return fmt.Sprintf("%v: the computer was asleep or frozen for about %s", ErrNetworkChanged, e.Slept.Round(time.Second))
	}
}

func (e *NetworkChangeError) Unwrap() error { return ErrNetworkChanged }

// sleepGap is how much longer than NetworkCheck the wall clock may move
// between two checks before we take it for a resume from sleep.
const sleepGap = 10 * time.Second

// regLoop is the state keepRegistered owns.
type regLoop struct {
	u   *UA
	reg *registration

	up        bool      // registered and believed reachable
	downSince time.Time // when the current outage began
	reported  string    // kind of the last outage event: report changes only
	failures  int       // REGISTERs failed in a row

	lastCheck time.Time  // wall time of the last network check
	localIP   netip.Addr // local address toward the server at the last check that had one
	netDown   bool       // the last check found no route
	// server is the next hop's address as last resolved: the network
	// check runs every few seconds and must not ask DNS each time.
	server string

	// calibrated: the first keepalive after the first success has run.
	calibrated bool
	// probeTrusted: our own address answered 2xx through this server, so
	// a later 404/410/480 there means it lost our binding. A server that
	// answers OPTIONS for its users itself (and 404 for ours, registered
	// or not) never earns it: its 404s are ignored.
	probeTrusted bool
}

// keepRegistered refreshes the binding before it expires, checks every
// KeepAlive that the registrar still has it, watches the network every
// NetworkCheck, and registers again at once when any of them says the
// binding is gone; after a failed REGISTER it tries again on the
// retryDelay schedule. It emits Reconnecting on the way down, Registered
// (with the time unreachable) on the way back, and RegistrationFailed
// when it stops because only the agent can fix the account. It starts
// from Register's first attempt, which may have failed.
func (u *UA) keepRegistered(ctx context.Context, reg *registration, first firstAttempt) {
	defer close(reg.done)
	l := &regLoop{u: u, reg: reg, up: first.err == nil, lastCheck: u.clock.Now()}
	l.resolveServer(ctx)
	var err error
	if l.localIP, err = u.localAddrToward(l.server); err != nil {
		l.netDown = true
	}
	wait := first.wait
	if first.err == nil {
		wait = refreshIn(first.expires)
	}
	refresh := u.clock.NewTimer(wait)
	defer refresh.Stop()
	keepalive, stopKeepalive := u.optionalTimer(u.cfg.KeepAlive)
	defer stopKeepalive()
	netcheck, stopNetcheck := u.optionalTimer(u.cfg.NetworkCheck)
	defer stopNetcheck()
	// Events go out once the timers are armed: whoever reads them may move the clock.
	if first.err == nil {
		u.emit(l.registered(ctx, first.expires))
	} else if ev := l.failed(first.err, first.at, first.wait); ev != nil {
		u.emit(ev)
	}
	for {
		var why error
		select {
		case <-ctx.Done():
			return
		case why = <-reg.kick:
		case <-refresh.C():
		case <-keepalive.C():
			keepalive.Reset(u.cfg.KeepAlive)
			if !l.up {
				continue // the retry timer is already on it
			}
			if why = l.keepalive(ctx); why == nil {
				continue
			}
		case <-netcheck.C():
			why = l.checkNetwork()
			netcheck.Reset(u.cfg.NetworkCheck)
			if why == nil {
				continue
			}
		}
		if ctx.Err() != nil {
			return
		}
		if why != nil {
			l.lost(why)
		}
		wait, ev, err := l.renew(ctx)
		if ctx.Err() != nil {
			return
		}
		if permanent(err) {
			refresh.Stop()
			stopKeepalive()
			stopNetcheck()
			u.mu.Lock()
			if u.reg == reg {
				u.reg = nil // Register may run again once the account is fixed
			}
			u.mu.Unlock()
			u.emit(RegistrationFailed{Err: err, Since: l.downSince}) // nothing of ours runs any more
			return
		}
		refresh.Reset(wait)
		if ev != nil {
			u.emit(ev)
		}
		if networkBack(why) {
			u.checkCalls(why)
		}
	}
}

// networkBack reports a network that came back, changed or woke up: the
// calls it carried may have been lost meanwhile.
func networkBack(why error) bool {
	var change *NetworkChangeError
	return errors.As(why, &change) && change.Change != LinkDown
}

// calibrate runs one keepalive right after registering: a 2xx means the
// server routes our own address back to us, so its 404s mean something.
func (l *regLoop) calibrate(ctx context.Context) {
	verdict, res, err := l.u.probeBinding(ctx)
	switch {
	case err != nil:
		l.u.log.Debug("first keepalive failed", "error", err)
	case verdict == probeReached:
		l.probeTrusted = true
	case res != nil:
		l.u.log.Info("the SIP server answers OPTIONS to our own address itself: lost registrations are noticed at refresh or from the connection",
			"status", res.StatusCode)
	}
}

// keepalive runs one keepalive and says why the binding is gone, if it is.
func (l *regLoop) keepalive(ctx context.Context) error {
	verdict, res, err := l.u.checkBinding(ctx)
	switch {
	case err != nil:
		return err
	case verdict == probeReached:
		l.probeTrusted = true
	case verdict == probeUnknownToServer && l.probeTrusted:
		return fmt.Errorf("%w: it answered %d %s to our own address", ErrBindingLost, res.StatusCode, res.Reason)
	}
	return nil
}

// renew registers again and returns when to next refresh or retry and
// the event to emit once that timer is armed; err is the failure.
func (l *regLoop) renew(ctx context.Context) (time.Duration, Event, error) {
	u := l.u
	at := u.clock.Now()
	got, err := u.register(ctx, l.reg)
	if ctx.Err() != nil {
		return retryMax, nil, ctx.Err()
	}
	if err == nil {
		return refreshIn(got), l.registered(ctx, got), nil
	}
	if permanent(err) {
		u.log.Warn("registration refused: not retrying until the account is fixed", "error", err)
		if l.up {
			l.up, l.downSince = false, at
		}
		return 0, nil, err
	}
	l.failures++
	wait := retryDelay(l.failures, err, jitter)
	return wait, l.failed(err, at, wait), err
}

// registered records a successful REGISTER and returns the Registered
// event, which says how long we were unreachable. After the first
// success, one keepalive runs at once (calibrate).
func (l *regLoop) registered(ctx context.Context, got time.Duration) Event {
	u := l.u
	if !l.calibrated && u.cfg.KeepAlive > 0 {
		// Learn now, while we are surely registered, whether this server
		// routes OPTIONS to our own address back to us.
		l.calibrate(ctx)
	}
	l.calibrated = true
	ev := Registered{AOR: u.AOR(), Expires: got, At: u.clock.Now()}
	if !l.up {
		ev.Unreachable = ev.At.Sub(l.downSince)
		u.log.Info("registered again", "unreachable", ev.Unreachable.Round(time.Millisecond))
	}
	l.up, l.failures, l.reported = true, 0, ""
	l.resolveServer(ctx)
	u.startFlow()
	return ev
}

// failed records a REGISTER sent at that failed with err, the next one
// due after wait; it returns the Reconnecting event when the outage is
// new, nil when it was already reported.
func (l *regLoop) failed(err error, at time.Time, wait time.Duration) Event {
	u := l.u
	l.failures = max(l.failures, 1)
	u.log.Warn("registration failed", "error", err, "retry_in", wait.Round(time.Millisecond))
	if l.up || l.downSince.IsZero() {
		l.up, l.downSince = false, at
	}
	if l.reported == "reconnecting" {
		return nil
	}
	l.reported = "reconnecting"
	return Reconnecting{Since: l.downSince, Err: err, Retry: u.clock.Now().Add(wait)}
}

// lost marks the binding as gone for why; the caller registers again.
func (l *regLoop) lost(why error) {
	l.u.log.Warn("registration lost", "reason", why)
	if !l.up {
		return
	}
	l.up, l.downSince = false, l.u.clock.Now()
	l.report("reconnecting", Reconnecting{Since: l.downSince, Err: why})
}

// report emits ev when the outage changes kind (reconnecting, failed):
// retries that fail the same way are logged, not repeated to the owner.
func (l *regLoop) report(kind string, ev Event) {
	if l.reported == kind {
		return
	}
	l.reported = kind
	l.u.emit(ev)
}

// checkNetwork looks for a resume from sleep, a changed local address, a
// network going down or up, and a dropped or silent TCP/TLS connection.
func (l *regLoop) checkNetwork() error {
	u := l.u
	now := u.clock.Now()
	gap := wallSince(now, l.lastCheck)
	l.lastCheck = now
	if gap > u.cfg.NetworkCheck+sleepGap {
		return &NetworkChangeError{Change: Resumed, Slept: gap - u.cfg.NetworkCheck}
	}
	ip, err := u.localAddrToward(l.server)
	switch {
	case err != nil && !l.netDown:
		l.netDown = true
		return &NetworkChangeError{Change: LinkDown, Err: err}
	case err != nil:
		return nil // still down; the retry timer keeps trying
	case l.netDown && (!l.localIP.IsValid() || ip == l.localIP):
		l.netDown, l.localIP = false, ip
		return &NetworkChangeError{Change: LinkUp, New: ip}
	case ip != l.localIP:
		// Also a link that came back with another address (a new DHCP
		// lease, another network): our socket's address is gone.
		l.netDown = false
		old := l.localIP
		l.localIP = ip
		return &NetworkChangeError{Change: AddressChanged, Old: old, New: ip}
	}
	if l.up {
		return u.checkFlow(now)
	}
	return nil
}

// resolveServer looks the next hop up again (after each registration, so
// a DNS change is followed); on failure the name itself is kept.
func (l *regLoop) resolveServer(ctx context.Context) {
	u := l.u
	hint := u.cfg.Registrar
	if u.cfg.OutboundProxy != "" {
		hint = u.cfg.OutboundProxy
	}
	if addr, err := u.registrarAddr(ctx); err == nil {
		hint = addr.String()
	}
	l.server = hint
}

// optionalTimer is a clock timer for d, or one that never fires when d
// is negative (the feature is off).
func (u *UA) optionalTimer(d time.Duration) (Timer, func()) {
	if d < 0 {
		return neverTimer{}, func() {}
	}
	t := u.clock.NewTimer(d)
	return t, func() { t.Stop() }
}

type neverTimer struct{}

func (neverTimer) C() <-chan time.Time      { return nil }
func (neverTimer) Stop() bool               { return false }
func (neverTimer) Reset(time.Duration) bool { return false }

// reregister asks the registration loop to register again at once.
func (u *UA) reregister(why error) {
	u.mu.Lock()
	reg := u.reg
	u.mu.Unlock()
	if reg == nil {
		return
	}
	select {
	case reg.kick <- why:
	default: // one is already pending
	}
}
