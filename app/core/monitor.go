package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/grant"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/sip"
)

// A supervisor's monitoring request (sip.MonitorRequest, docs/monitoring.md)
// is taken here: checked against the IT policy and the backend's signed
// grant, answered at once (no ringing) with the supervisor's leg mixed on
// the desk per mode, shown to the agent (ui.MonitorChanged, the banner)
// before any audio flows, and logged to the backend at start, at each mode
// change and at the end through the ticket outbox. Anything else is
// refused with 403 and logged. No audio is recorded.

// monitorService owns the one monitoring session a call may have.
type monitorService struct {
	c        *Core
	verifier *grant.Verifier

	mu  sync.Mutex
	cur *monitorSession
}

// monitorSession is a running session.
type monitorSession struct {
	call   *sip.Call
	target *callEntry
	claims grant.Claims
	log    tickets.MonitorSession
}

func newMonitorService(c *Core) *monitorService {
	return &monitorService{c: c, verifier: grant.NewVerifier()}
}

// incoming takes a monitoring request off the UA's event loop.
func (m *monitorService) incoming(call *sip.Call, req sip.MonitorRequest) {
	p := m.c.phone
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		m.take(call, req)
	}()
}

// errNoCallToMonitor: the agent has no call in progress.
var errNoCallToMonitor = errors.New("the agent has no call in progress")

// errMonitoringOff: IT's policy turned monitoring off.
var errMonitoringOff = errors.New("monitoring is turned off by the IT policy (monitoring.enabled)")

// errNoSessionLog: sessions must reach the backend, and there is none.
var errNoSessionLog = errors.New("no ticket server to log the session to")

func (m *monitorService) take(call *sip.Call, req sip.MonitorRequest) {
	claims, target, err := m.authorize(req)
	if err != nil {
		code := 403
		switch {
		case errors.Is(err, errNoCallToMonitor):
			code = 480
		case errors.Is(err, errBusyMonitor):
			code = 486
		}
		m.c.log.Warn("monitoring request refused", "from", call.Remote(), "mode", req.Mode,
			"supervisor", claims.Sup, "code", code, "reason", err)
		if rerr := call.Reject(code); rerr != nil && !errors.Is(rerr, sip.ErrCallEnded) {
			m.c.log.Warn("refusing the monitoring request", "err", rerr)
		}
		return
	}
	p := m.c.phone
	audio, err := p.desk.startMonitor(target.leg, req.Mode)
	if err != nil {
		m.c.log.Warn("monitoring request refused", "from", call.Remote(), "reason", err)
		_ = call.Reject(480)
		return
	}
	call.SetMonitorGate(func(mode string) error {
		if !claims.Allows(mode) {
			m.c.log.Warn("monitoring mode switch refused", "supervisor", claims.Sup, "mode", mode, "reason", grant.ErrMode)
			return grant.ErrMode
		}
		return nil
	})
	now := time.Now().UTC()
	s := &monitorSession{call: call, target: target, claims: claims, log: tickets.MonitorSession{
		ID: newSessionID(), Supervisor: claims.Sup, Agent: claims.Agent, CallID: target.info.ID,
		Mode: req.Mode, StartedAt: now, Modes: []tickets.ModeChange{{Mode: req.Mode, At: now}},
	}}
	m.mu.Lock()
	m.cur = s
	m.mu.Unlock()
	// The agent is told before any audio reaches the supervisor.
	m.announce(s, true)
	m.record(s)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	err = call.Answer(ctx, audio)
	cancel()
	if err != nil {
		m.c.log.Warn("monitoring session did not start", "err", err)
		m.end(s)
		return
	}
	m.c.log.Info("monitoring session started", "id", s.log.ID, "supervisor", claims.Sup, "mode", req.Mode, "call_id", target.info.ID)
	m.follow(s)
}

// errBusyMonitor: a session already runs.
var errBusyMonitor = errors.New("another monitoring session is running")

// authorize checks policy, grant and the call to monitor.
func (m *monitorService) authorize(req sip.MonitorRequest) (grant.Claims, *callEntry, error) {
	pol := m.c.policy.Monitoring
	if !pol.Enabled {
		return grant.Claims{}, nil, errMonitoringOff
	}
	keys, err := grant.ParseKeys(pol.GrantPublicKeys)
	if err != nil {
		return grant.Claims{}, nil, err
	}
	claims, err := m.verifier.Verify(req.Grant, keys, time.Now(), m.agentName(), req.Mode)
	if err != nil {
		return claims, nil, err
	}
	if _, err := m.c.tickets.open(); err != nil {
		return claims, nil, fmt.Errorf("%w: %w", errNoSessionLog, err)
	}
	m.mu.Lock()
	busy := m.cur != nil
	m.mu.Unlock()
	if busy {
		return claims, nil, errBusyMonitor
	}
	target := m.c.phone.monitorTarget(req.Joined)
	if target == nil {
		return claims, nil, errNoCallToMonitor
	}
	return claims, target, nil
}

// agentName is who the grant must name: the backend login, else the SIP user.
func (m *monitorService) agentName() string {
	acc := m.c.settings.account()
	if acc.AgentLogin != "" {
		return acc.AgentLogin
	}
	return acc.User
}

// follow runs the session to its end: mode switches, then the hang-up.
func (m *monitorService) follow(s *monitorSession) {
	for {
		select {
		case ev := <-s.call.Events():
			switch ev := ev.(type) {
			case sip.MonitorModeChanged:
				m.switched(s, ev.Mode)
			case sip.Ended:
				m.end(s)
				return
			}
		case <-s.call.Done():
			m.end(s)
			return
		}
	}
}

func (m *monitorService) switched(s *monitorSession, mode string) {
	m.c.phone.desk.setMonitorMode(mode)
	m.mu.Lock()
	s.log.Mode = mode
	s.log.Modes = append(s.log.Modes, tickets.ModeChange{Mode: mode, At: time.Now().UTC()})
	m.mu.Unlock()
	m.c.log.Info("monitoring mode switched", "id", s.log.ID, "mode", mode)
	m.announce(s, true)
	m.record(s)
}

// end closes the session once: out of the mix, banner off, logged.
func (m *monitorService) end(s *monitorSession) {
	m.mu.Lock()
	if m.cur != s {
		m.mu.Unlock()
		return
	}
	m.cur = nil
	ended := time.Now().UTC()
	s.log.EndedAt = &ended
	m.mu.Unlock()
	if err := m.c.phone.desk.stopMonitor(); err != nil {
		m.c.log.Warn("closing the monitoring leg", "err", err)
	}
	m.c.log.Info("monitoring session ended", "id", s.log.ID, "supervisor", s.claims.Sup)
	m.announce(s, false)
	m.record(s)
}

// callEnded ends the session when the call it monitors ends.
func (m *monitorService) callEnded(e *callEntry) {
	m.mu.Lock()
	s := m.cur
	m.mu.Unlock()
	if s == nil || s.target != e {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	if err := s.call.Hangup(ctx); err != nil && !errors.Is(err, sip.ErrCallEnded) {
		m.c.log.Warn("ending the monitoring session", "err", err)
	}
}

// announce tells the GUI (the banner).
func (m *monitorService) announce(s *monitorSession, active bool) {
	m.mu.Lock()
	l := s.log
	m.mu.Unlock()
	m.c.events.emit(ui.MonitorChanged{Session: ui.MonitorSession{ID: l.ID, Active: active, Mode: l.Mode,
		Supervisor: l.Supervisor, CallID: l.CallID, Since: l.StartedAt}})
}

// record queues the session as it stands for the backend.
func (m *monitorService) record(s *monitorSession) {
	m.mu.Lock()
	l := s.log
	l.Modes = append([]tickets.ModeChange(nil), s.log.Modes...)
	m.mu.Unlock()
	cl, err := m.c.tickets.open()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		err = cl.RecordMonitorSession(ctx, l)
		cancel()
	}
	if err != nil {
		m.c.log.Error("monitoring session not logged", "id", l.ID, "err", err)
	}
}

// Active returns the running session, if any (tests, headless callers).
func (m *monitorService) Active() (tickets.MonitorSession, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cur == nil {
		return tickets.MonitorSession{}, false
	}
	return m.cur.log, true
}

// monitorTarget is the call a supervisor may monitor: the one a Join named,
// else the call the agent is talking in (the conference, or the newest
// live call).
func (p *phone) monitorTarget(joined *sip.Call) *callEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var best *callEntry
	for _, e := range p.calls {
		if joined != nil {
			if e.call == joined {
				return e
			}
			continue
		}
		if e.leg == nil || !e.established {
			continue
		}
		if local, _ := e.call.Held(); local {
			continue
		}
		if best == nil || e.seq > best.seq {
			best = e
		}
	}
	return best
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
