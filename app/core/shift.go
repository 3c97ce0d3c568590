package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/assets/i18n"
	"github.com/homeshore/homeshore/media/devinfo"
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
	// devIn and devOut are the microphone and earpiece of the check that
	// let the agent work (clock-in, or the check after a device problem):
	// every call of the shift uses exactly these, whatever the system's
	// default devices become, and the guard watches them.
	devIn, devOut string
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
		status := ui.ShiftStatus{State: uiState(ev.To), Reason: string(ev.Reason.Code), Since: ev.At, ShiftStart: start}
		if ev.Then != nil {
			status.Then = &ui.NextState{State: uiState(ev.Then.State), Reason: string(ev.Then.Reason.Code)}
		}
		if ev.From == ev.To {
			// Only where the agent goes after the call changed: same state, same clock.
			status.Since = s.c.machine.Since()
		}
		s.c.events.emit(ui.ShiftStateChanged{Status: status})
		if ev.From != ev.To {
			// Every state event carries its reason code (Not ready, Break).
			s.record(tickets.AgentEvent{Kind: tickets.EventState, State: ev.To.String(), At: ev.At, Reason: string(ev.Reason.Code)})
		}
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
	s.useDevices(last)
	s.startGuard(ctx, last)
	s.c.headset.start(s.c.checks.headsetUSBID())
	return nil
}

// useDevices makes the devices rep passed the shift's call devices (none:
// the Settings' devices).
func (s *shiftControl) useDevices(rep precheck.Report) {
	s.mu.Lock()
	s.devIn, s.devOut = rep.Input, rep.Output
	s.mu.Unlock()
	if rep.Input != "" || rep.Output != "" {
		s.c.log.Info("calls use the checked devices for the shift", "input", rep.Input, "output", rep.Output)
	}
}

// devices are the shift's call devices; ok is false outside a shift or
// when the check named none.
func (s *shiftControl) devices() (in, out string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.devIn, s.devOut, s.devIn != "" && s.devOut != ""
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
	// Calls use these devices by id (useDevices): a new system default is
	// no concern of the shift; losing or spoiling them is. The agent hears
	// when the computer's sound moves away from the headset and back.
	awayShown := false
	stop, err := precheck.Guard(context.Background(), s.c.machine, precheck.GuardOptions{
		Output: rep.Output, Input: rep.Input, Policy: s.c.policy.Checks.Headset,
		Devices: s.c.opts.ListDevices, Watch: s.c.opts.WatchDevices, CallsUseTheseDevices: true,
		DefaultMoved: func(out, in devinfo.Device) {
			// The agent is told, nothing stops: calls stay on the checked devices.
			away := out.ID != "" && out.ID != rep.Output || in.ID != "" && in.ID != rep.Input
			if away == awayShown && !away {
				return
			}
			awayShown = away
			ev := ui.SoundDefaultChanged{Headset: s.c.checks.headsetName(), Away: away}
			if out.ID != rep.Output {
				ev.Output = out.Description
			}
			if in.ID != rep.Input {
				ev.Input = in.Description
			}
			s.c.events.emit(ev)
		},
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
// loss needs a passing check run since the loss. During a call it sets
// where the agent goes after the call.
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
		// The new check may have passed another headset: calls and the
		// guard move to it.
		if gerr := s.stopWatching(); gerr != nil {
			s.c.log.Warn("stopping the headset watch", "err", gerr)
		}
		s.useDevices(rep)
		s.startGuard(context.Background(), rep)
		return nil
	case ui.StateNotReady, ui.StateBreak:
		r, err := s.reason(state, reason)
		if err != nil {
			return err
		}
		if state == ui.StateBreak {
			return m.StartBreak(r)
		}
		return m.SetNotReady(r)
	}
	return fmt.Errorf("the agent cannot choose the state %d: it follows calls and checks", state)
}

// ErrUnknownReason: a reason code that IT's policy does not list.
var ErrUnknownReason = errors.New("this reason is not in your IT policy's list: pick one from the list")

// reason checks code against the policy's list for state ("" is allowed:
// Not ready without a reason, a plain Break).
func (s *shiftControl) reason(state ui.AgentState, code string) (shift.Reason, error) {
	if code == "" {
		return shift.Reason{}, nil
	}
	for _, r := range s.Reasons() {
		if r.Code == code && r.State == state {
			return shift.Reason{Code: shift.ReasonCode(code), Message: englishLabel(r)}, nil
		}
	}
	return shift.Reason{}, fmt.Errorf("%q: %w", code, ErrUnknownReason)
}

// EndWrapUp closes the wrap-up of a logged call.
func (s *shiftControl) EndWrapUp(_ context.Context, disposition string, next *ui.NextState) error {
	var n *shift.Next
	if next != nil {
		r, err := s.reason(next.State, next.Reason)
		if err != nil {
			return err
		}
		n = &shift.Next{State: machineState(next.State), Reason: r}
	}
	return s.c.machine.EndWrapUp(disposition, n)
}

// callAnswered counts an answered call in the shift, whatever the state
// the agent was in (the phone calls it).
func (s *shiftControl) callAnswered(id string) {
	if err := s.c.machine.CallStarted(id); err != nil {
		s.c.log.Warn("call outside a shift: not counted", "call", id, "err", err)
	}
}

// callClosed counts the end of a call: talk time for an answered one, a
// missed or declined inbound one otherwise.
func (s *shiftControl) callClosed(id string, dir ui.Direction, answered, declined bool) {
	var err error
	switch {
	case answered:
		err = s.c.machine.CallEnded(id)
	case dir != ui.Inbound:
		return
	case declined:
		err = s.c.machine.CallRejected()
	default:
		err = s.c.machine.CallMissed()
	}
	if err != nil {
		s.c.log.Warn("call end not counted in the shift", "call", id, "err", err)
	}
}

// canRing: a call may be offered to the agent (on shift and Available).
func (s *shiftControl) canRing() bool {
	st, _ := s.c.machine.State()
	return s.c.machine.ClockedIn() && st == shift.Available
}

// ClockOut closes the shift, stops the device guard and takes the phone
// off the line (presence removed, unregistered: offshift.go).
func (s *shiftControl) ClockOut(ctx context.Context) (ui.ShiftSummary, error) {
	sum, err := s.c.machine.ClockOut()
	if err != nil {
		return ui.ShiftSummary{}, err
	}
	if perr := s.c.phone.goOffShift(ctx); perr != nil {
		s.c.log.Warn("taking the phone off the line at clock-out", "err", perr)
	}
	if gerr := s.stopWatching(); gerr != nil {
		s.c.log.Warn("stopping the headset watch", "err", gerr)
	}
	s.useDevices(precheck.Report{})
	if herr := s.c.headset.stop(); herr != nil {
		s.c.log.Warn("closing the headset buttons", "err", herr)
	}
	out := ui.ShiftSummary{Start: sum.ClockIn, End: sum.ClockOut, Calls: sum.Calls, Talk: sum.TalkTime,
		Missed: sum.Missed, Rejected: sum.Rejected, AverageHandle: sum.AverageHandle(),
		Dispositions: map[string]int{}, InState: map[ui.AgentState]time.Duration{}}
	for code, n := range sum.Dispositions {
		out.Dispositions[code] = n
	}
	for st, d := range sum.TimeIn {
		out.InState[uiState(st)] += d
	}
	return out, nil
}

// Reasons are the Not ready and Break reasons of IT's policy.
func (s *shiftControl) Reasons() []ui.ReasonCode {
	var out []ui.ReasonCode
	add := func(list []config.StateReason, st ui.AgentState) {
		for _, r := range list {
			out = append(out, ui.ReasonCode{Code: r.Code, State: st, Labels: r.Labels})
		}
	}
	add(s.c.policy.Shift.NotReadyReasons, ui.StateNotReady)
	add(s.c.policy.Shift.BreakReasons, ui.StateBreak)
	return out
}

// englishLabel is a reason's English words for logs and the backend.
func englishLabel(r ui.ReasonCode) string {
	if l := r.Labels["en"]; l != "" {
		return l
	}
	if l, ok := i18n.Format(englishCatalog(), "reason."+r.Code); ok {
		return l
	}
	return r.Code
}

var englishOnce = sync.OnceValue(func() map[string]string {
	m, err := i18n.Catalog("en")
	if err != nil {
		return map[string]string{}
	}
	return m
})

func englishCatalog() map[string]string { return englishOnce() }

func (s *shiftControl) close() error {
	s.unsub()
	return s.stopWatching()
}

// machineState maps the GUI's states to the machine's.
func machineState(st ui.AgentState) shift.State {
	switch st {
	case ui.StateNotReady:
		return shift.NotReady
	case ui.StateBreak:
		return shift.Break
	}
	return shift.Available
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
