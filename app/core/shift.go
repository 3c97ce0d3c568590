package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
)

// shiftControl is ui.ShiftControl over shift.Machine. Call-driven moves
// (On call, Wrap-up) come from the phone; every move reaches the GUI as
// ShiftStateChanged from the machine's subscription, and the ticket
// backend as an agent event.
type shiftControl struct {
	c     *Core
	unsub func()

	mu         sync.Mutex
	shiftStart time.Time
	stopGuard  func() error
	lostAt     time.Time // last device loss; a check after it allows Recheck
}

func newShiftControl(c *Core) *shiftControl {
	s := &shiftControl{c: c}
	s.unsub = c.machine.Subscribe(s.onEvent)
	return s
}

// onEvent runs on the goroutine that moved the machine, in event order.
func (s *shiftControl) onEvent(ev shift.Event) {
	switch ev := ev.(type) {
	case shift.ClockedIn:
		s.mu.Lock()
		s.shiftStart = ev.At
		s.mu.Unlock()
		s.record(tickets.AgentEvent{Kind: tickets.EventClockIn, At: ev.At,
			Precheck: &tickets.Precheck{Passed: ev.Passed, Report: ev.Report}, Reason: overrideReason(ev.Override)})
	case shift.StateChanged:
		if ev.To == shift.NotReady && isDeviceReason(ev.Reason.Code) {
			s.mu.Lock()
			s.lostAt = ev.At
			s.mu.Unlock()
			s.c.events.emit(ui.DeviceLost{Device: s.c.checks.headsetName(), Message: ui.Text{Plain: ev.Reason.Message, Key: ev.Reason.Key, Args: ev.Reason.Args}})
		}
		s.mu.Lock()
		start := s.shiftStart
		s.mu.Unlock()
		s.c.events.emit(ui.ShiftStateChanged{Status: ui.ShiftStatus{State: uiState(ev.To), Reason: string(ev.Reason.Code),
			Since: ev.At, ShiftStart: start}})
		s.record(tickets.AgentEvent{Kind: tickets.EventState, State: ev.To.String(), At: ev.At, Reason: string(ev.Reason.Code)})
	case shift.ClockedOut:
		s.record(tickets.AgentEvent{Kind: tickets.EventClockOut, At: ev.At})
	}
}

func overrideReason(o *shift.Override) string {
	if o == nil {
		return ""
	}
	return o.Reason
}

func isDeviceReason(code shift.ReasonCode) bool {
	return code == shift.ReasonHeadsetMissing || code == shift.ReasonDeviceChanged
}

// record queues an agent event for the backend; the outbox delivers it
// once the network is back, so only a local failure is logged.
func (s *shiftControl) record(e tickets.AgentEvent) {
	if err := s.c.tickets.recordAgentEvent(e); err != nil {
		s.c.log.Warn("agent event not recorded", "kind", e.Kind, "err", err)
	}
}

// ClockIn opens the shift with the last check's report and starts the
// mid-shift device guard.
func (s *shiftControl) ClockIn(ctx context.Context, report ui.CheckReport, overrideReason string) error {
	var rep shift.CheckReport = uiReport(report)
	last, ok := s.c.checks.last()
	if ok {
		rep = last
	}
	var override *shift.Override
	if overrideReason != "" {
		override = &shift.Override{Reason: overrideReason}
	}
	if err := s.c.machine.ClockIn(rep, override); err != nil {
		return err
	}
	s.startGuard(ctx, last)
	return nil
}

// startGuard watches the checked headset during the shift. Without a
// sound server to watch the shift still runs; the agent is told.
func (s *shiftControl) startGuard(_ context.Context, rep precheck.Report) {
	if s.c.opts.NoDeviceGuard {
		return
	}
	if rep.Output == "" || rep.Input == "" {
		s.c.log.Warn("headset watch not running: the check named no headset")
		return
	}
	stop, err := precheck.Guard(context.Background(), s.c.machine, precheck.GuardOptions{
		Output: rep.Output, Input: rep.Input, Policy: s.c.policy.Checks.Headset,
		Devices: s.c.opts.ListDevices, Watch: s.c.opts.WatchDevices,
	})
	if err != nil {
		s.c.log.Warn("headset watch not running", "err", err)
		return
	}
	s.mu.Lock()
	s.stopGuard = stop
	s.mu.Unlock()
}

func (s *shiftControl) stopWatching() error {
	s.mu.Lock()
	stop := s.stopGuard
	s.stopGuard = nil
	s.mu.Unlock()
	if stop == nil {
		return nil
	}
	return stop()
}

// SetState applies the agent's choice. Going Available after a device
// loss needs a passing check run since the loss.
func (s *shiftControl) SetState(_ context.Context, state ui.AgentState, reason string) error {
	m := s.c.machine
	switch state {
	case ui.StateAvailable:
		err := m.SetAvailable()
		if !errors.Is(err, shift.ErrRecheckRequired) {
			return err
		}
		rep, at, ok := s.c.checks.lastAt()
		s.mu.Lock()
		fresh := ok && at.After(s.lostAt)
		s.mu.Unlock()
		if !fresh {
			return err
		}
		if rerr := m.Recheck(rep); rerr != nil {
			return rerr
		}
		if st, _ := m.State(); st != shift.Available {
			return fmt.Errorf("the equipment check failed again: %v", rep.FailedChecks())
		}
		return nil
	case ui.StateNotReady:
		return m.SetNotReady(shift.Reason{Code: shift.ReasonCode(reason), Message: s.reasonLabel(reason)})
	case ui.StateBreak:
		return m.StartBreak()
	}
	return fmt.Errorf("the agent cannot choose the state %d: it follows calls and checks", state)
}

// ClockOut closes the shift and stops the device guard.
func (s *shiftControl) ClockOut(context.Context) (ui.ShiftSummary, error) {
	sum, err := s.c.machine.ClockOut()
	if err != nil {
		return ui.ShiftSummary{}, err
	}
	if gerr := s.stopWatching(); gerr != nil {
		s.c.log.Warn("stopping the headset watch", "err", gerr)
	}
	out := ui.ShiftSummary{Start: sum.ClockIn, End: sum.ClockOut, Calls: sum.Calls, Talk: sum.TalkTime,
		InState: map[ui.AgentState]time.Duration{}}
	for st, d := range sum.TimeIn {
		out.InState[uiState(st)] += d
	}
	return out, nil
}

// notReadyReasons are the agent's own Not ready reasons.
var notReadyReasons = []ui.ReasonCode{
	{Code: string(shift.ReasonManual), Label: "Not ready"},
	{Code: "training", Label: "Training"},
	{Code: "meeting", Label: "Team meeting"},
	{Code: "tech", Label: "Technical problem"},
}

func (s *shiftControl) NotReadyReasons() []ui.ReasonCode {
	return append([]ui.ReasonCode(nil), notReadyReasons...)
}

func (s *shiftControl) reasonLabel(code string) string {
	for _, r := range notReadyReasons {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

func (s *shiftControl) close() error {
	s.unsub()
	return s.stopWatching()
}

// uiState maps the machine's states to the GUI's (same order, own type).
func uiState(st shift.State) ui.AgentState {
	switch st {
	case shift.Checking:
		return ui.StateChecking
	case shift.Available:
		return ui.StateAvailable
	case shift.OnCall:
		return ui.StateOnCall
	case shift.WrapUp:
		return ui.StateWrapUp
	case shift.NotReady:
		return ui.StateNotReady
	case shift.Break:
		return ui.StateBreak
	}
	return ui.StateOffline
}

// uiReport lets a GUI report stand in when no precheck report exists
// (a check the GUI did not run through the core).
type uiReport ui.CheckReport

func (r uiReport) Passed() bool { return r.CanStart }

func (r uiReport) FailedChecks() []string {
	var out []string
	for _, c := range r.Results {
		if c.Verdict == ui.VerdictFail {
			out = append(out, c.Name)
		}
	}
	return out
}
