package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// Monitoring requests (docs/monitoring.md). A supervisor's phone sends an
// INVITE to the agent asking to monitor the agent's current call. It is a
// monitoring request when it carries any of:
//   - HeaderGrant: the backend's signed grant, which the agent's app checks;
//   - HeaderMonitor: the mode, "listen", "whisper" or "barge";
//   - Join (RFC 3911) naming the agent's call: barge unless HeaderMonitor
//     says otherwise. A Join naming no answered call of ours gets 481.
//
// Without HeaderMonitor the mode is barge with Join and listen otherwise;
// a listening supervisor offers a=recvonly. The agent's app answers at once,
// without ringing, or refuses with 403. The supervisor switches mode with a
// re-INVITE carrying HeaderMonitor (offering sendrecv to be heard), or an
// INFO whose body is the mode, of type MonitorInfoType.
const (
	HeaderGrant     = "X-Homeshore-Grant"
	HeaderMonitor   = "X-Homeshore-Monitor"
	MonitorInfoType = "application/x-homeshore-monitor"
)

// Monitoring modes.
const (
	ModeListen  = "listen"
	ModeWhisper = "whisper"
	ModeBarge   = "barge"
)

// ErrBadMode means a monitoring mode other than listen, whisper or barge.
var ErrBadMode = errors.New("monitoring mode must be listen, whisper or barge")

// ParseMode reads a monitoring mode, case-insensitively.
func ParseMode(s string) (string, error) {
	switch m := strings.ToLower(strings.TrimSpace(s)); m {
	case ModeListen, ModeWhisper, ModeBarge:
		return m, nil
	}
	return "", fmt.Errorf("%w, not %q", ErrBadMode, s)
}

// MonitorRequest is what an incoming monitoring INVITE asks.
type MonitorRequest struct {
	Mode  string
	Grant string // the HeaderGrant token, "" when absent
	// Joined is the call a Join header named; nil without one.
	Joined *Call
}

// MonitorModeChanged: the supervisor switched mode mid-session (a
// re-INVITE or INFO the gate accepted).
type MonitorModeChanged struct{ Mode string }

func (MonitorModeChanged) callEvent() {}

// Monitor returns the monitoring request this incoming call makes, with
// its current mode.
func (c *Call) Monitor() (MonitorRequest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ext.monitor == nil {
		return MonitorRequest{}, false
	}
	return *c.ext.monitor, true
}

// SetMonitorGate sets the check a mode switch must pass; an error refuses
// the switch with 403 Forbidden and the session goes on in its mode.
func (c *Call) SetMonitorGate(gate func(mode string) error) {
	c.mu.Lock()
	c.ext.gate = gate
	c.mu.Unlock()
}

// inviteKind is what inspectInvite found in a new INVITE.
type inviteKind struct {
	replaces *Call
	monitor  *MonitorRequest
}

func (k inviteKind) special() bool { return k.replaces != nil || k.monitor != nil }

// inspectInvite reads the Replaces, Join and monitoring headers of a new
// INVITE. A header naming no call of ours, or unreadable, is answered here
// (481, 486 or 400) and ok is false.
func (u *UA) inspectInvite(req *sip.Request, tx sip.ServerTransaction) (k inviteKind, ok bool) {
	refuse := func(code int, err error) (inviteKind, bool) {
		u.log.Info("refusing INVITE", "code", code, "error", err)
		respond(tx, req, code, reasonPhrase(code))
		return inviteKind{}, false
	}
	if hs := req.GetHeaders("Replaces"); len(hs) > 0 {
		if len(hs) > 1 {
			return refuse(sip.StatusBadRequest, errors.New("more than one Replaces header"))
		}
		old, code, err := u.matchDialog(hs[0].Value())
		if err != nil {
			return refuse(code, err)
		}
		return inviteKind{replaces: old}, true
	}
	grant, modeHdr, join := req.GetHeader(HeaderGrant), req.GetHeader(HeaderMonitor), req.GetHeader("Join")
	if grant == nil && modeHdr == nil && join == nil {
		return inviteKind{}, true
	}
	m := &MonitorRequest{Mode: ModeListen}
	if grant != nil {
		m.Grant = strings.TrimSpace(grant.Value())
	}
	if join != nil {
		joined, code, err := u.matchDialog(join.Value())
		if err != nil {
			return refuse(code, err)
		}
		m.Joined, m.Mode = joined, ModeBarge
	}
	if modeHdr != nil {
		mode, err := ParseMode(modeHdr.Value())
		if err != nil {
			return refuse(sip.StatusBadRequest, err)
		}
		m.Mode = mode
	}
	return inviteKind{monitor: m}, true
}

// takeInvite handles the INVITEs inspectInvite marked: Replaces is answered
// at once; a monitoring request goes to the owner without ringing. It
// reports false for an ordinary call.
func (u *UA) takeInvite(c *Call, k inviteKind) bool {
	switch {
	case k.replaces != nil:
		c.acceptReplacing(k.replaces)
		return true
	case k.monitor != nil:
		c.mu.Lock()
		c.ext.monitor = k.monitor
		c.mu.Unlock()
		u.emit(IncomingCall{Call: c})
		c.ring()
		return true
	}
	return false
}

// monitorReinvite applies the mode a supervisor's re-INVITE asks for. It
// answers 403 and reports false when the gate refuses it.
func (c *Call) monitorReinvite(req *sip.Request, tx sip.ServerTransaction) bool {
	h := req.GetHeader(HeaderMonitor)
	if h == nil {
		return true
	}
	if err := c.switchMode(h.Value()); err != nil {
		c.log.Warn("refusing a monitoring mode switch", "error", err)
		respond(tx, req, sip.StatusForbidden, "Forbidden")
		return false
	}
	return true
}

// monitorInfo takes an INFO switching the monitoring mode; false when the
// INFO is something else.
func (c *Call) monitorInfo(req *sip.Request, tx sip.ServerTransaction) bool {
	ct := req.ContentType()
	if ct == nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct.Value())), MonitorInfoType) {
		return false
	}
	if err := c.switchMode(string(req.Body())); err != nil {
		c.log.Warn("refusing a monitoring mode switch", "error", err)
		code := sip.StatusForbidden
		if errors.Is(err, ErrBadMode) || errors.Is(err, errNotMonitor) {
			code = sip.StatusBadRequest
		}
		respond(tx, req, code, reasonPhrase(code))
		return true
	}
	respond(tx, req, sip.StatusOK, "OK")
	return true
}

var errNotMonitor = errors.New("this call is not a monitoring session")

// switchMode checks a new mode with the gate, records it and tells the owner.
func (c *Call) switchMode(value string) error {
	mode, err := ParseMode(strings.TrimPrefix(strings.TrimSpace(value), "mode="))
	if err != nil {
		return err
	}
	c.mu.Lock()
	m, gate := c.ext.monitor, c.ext.gate
	c.mu.Unlock()
	if m == nil {
		return errNotMonitor
	}
	if gate != nil {
		if err := gate(mode); err != nil {
			return err
		}
	}
	c.mu.Lock()
	changed := m.Mode != mode
	m.Mode = mode
	c.mu.Unlock()
	if changed {
		c.emit(MonitorModeChanged{Mode: mode})
	}
	return nil
}

// MonitorDialOptions are the INVITE options of a supervisor's monitoring
// call in mode with grant: the mode header, the grant, and a recvonly
// offer when only listening.
func MonitorDialOptions(mode, grant string) []DialOption {
	opts := []DialOption{WithHeader(HeaderMonitor, mode)}
	if grant != "" {
		opts = append(opts, WithHeader(HeaderGrant, grant))
	}
	if mode == ModeListen {
		opts = append(opts, WithOfferDirection(media.RecvOnly))
	}
	return opts
}

// SwitchMonitorMode is the supervisor's side of a mode switch: a re-INVITE
// with the new mode, offering recvonly to listen and sendrecv otherwise.
func (c *Call) SwitchMonitorMode(ctx context.Context, mode string) error {
	mode, err := ParseMode(mode)
	if err != nil {
		return err
	}
	dir := media.SendRecv
	if mode == ModeListen {
		dir = media.RecvOnly
	}
	if err := c.renegotiate(ctx, dir, sip.NewHeader(HeaderMonitor, mode)); err != nil {
		return fmt.Errorf("switching to %s: %w", mode, err)
	}
	return nil
}

// SwitchMonitorModeByInfo is the other way to switch: an INFO whose body
// is the mode. The SDP direction stays as negotiated (to be heard after
// listening with recvonly, use SwitchMonitorMode).
func (c *Call) SwitchMonitorModeByInfo(ctx context.Context, mode string) error {
	mode, err := ParseMode(mode)
	if err != nil {
		return err
	}
	res, err := c.doPending(ctx, func() *sip.Request {
		req := sip.NewRequest(sip.INFO, c.remoteTarget())
		req.AppendHeader(sip.NewHeader("Content-Type", MonitorInfoType))
		req.SetBody([]byte(mode))
		return req
	})
	if err != nil {
		return fmt.Errorf("switching to %s: %w", mode, err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("switching to %s: %w", mode, &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	return nil
}
