package demo

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

var (
	errNotClockedIn = errors.New("the shift has not started")
	errCheckFailed  = errors.New("a required check failed and no override reason was given")
)

// shift is a small agent state machine with the time spent in each state.
type shift struct {
	d *Demo

	mu      sync.Mutex
	state   ui.AgentState
	reason  string
	since   time.Time
	start   time.Time
	inState map[ui.AgentState]time.Duration
	calls   int
	talk    time.Duration
}

func newShift(d *Demo) *shift { return &shift{d: d, inState: map[ui.AgentState]time.Duration{}} }

func (s *shift) current() ui.AgentState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// move changes state (mu held) and returns the event to emit.
func (s *shift) move(state ui.AgentState, reason string) ui.Event {
	now := time.Now()
	if !s.since.IsZero() {
		s.inState[s.state] += now.Sub(s.since)
	}
	s.state, s.reason, s.since = state, reason, now
	return ui.ShiftStateChanged{Status: ui.ShiftStatus{State: state, Reason: reason, Since: now, ShiftStart: s.start}}
}

func (s *shift) ClockIn(_ context.Context, report ui.CheckReport, override string) error {
	if !report.CanStart && (override == "" || !report.OverrideAllowed) {
		return errCheckFailed
	}
	s.mu.Lock()
	s.start = time.Now()
	s.inState = map[ui.AgentState]time.Duration{}
	s.calls, s.talk, s.since = 0, 0, time.Time{}
	ev := s.move(ui.StateAvailable, "")
	s.mu.Unlock()
	s.d.emit(ev)
	return nil
}

func (s *shift) SetState(_ context.Context, state ui.AgentState, reason string) error {
	s.mu.Lock()
	if s.start.IsZero() {
		s.mu.Unlock()
		return errNotClockedIn
	}
	ev := s.move(state, reason)
	s.mu.Unlock()
	s.d.emit(ev)
	return nil
}

func (s *shift) ClockOut(context.Context) (ui.ShiftSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.start.IsZero() {
		return ui.ShiftSummary{}, errNotClockedIn
	}
	s.move(ui.StateOffline, "")
	sum := ui.ShiftSummary{Start: s.start, End: time.Now(), Calls: s.calls, Talk: s.talk, InState: map[ui.AgentState]time.Duration{}}
	for k, v := range s.inState {
		sum.InState[k] = v
	}
	s.start = time.Time{}
	return sum, nil
}

func (s *shift) NotReadyReasons() []ui.ReasonCode {
	return []ui.ReasonCode{
		{Code: "training", Label: "Training"},
		{Code: "meeting", Label: "Team meeting"},
		{Code: "tech", Label: "Technical problem"},
	}
}

// callEstablished and callEnded are the call-driven moves a real shift
// machine makes from SIP events.
func (s *shift) callEstablished() {
	s.mu.Lock()
	ev := s.move(ui.StateOnCall, "")
	s.mu.Unlock()
	s.d.emit(ev)
}

func (s *shift) callEnded(talk time.Duration) {
	s.mu.Lock()
	s.calls++
	s.talk += talk
	ev := s.move(ui.StateWrapUp, "")
	s.mu.Unlock()
	s.d.emit(ev)
}
