package demo

import (
	"context"
	"errors"
	"time"

	appconfig "github.com/homeshore/homeshore/app/config"
	appshift "github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/ui"
)

var errCheckFailed = errors.New("a required check failed and no override reason was given")

// shift is the simulated setup's agent state: the real state machine
// (app/shift), so the demo shows the same truth as the real app.
type shift struct {
	d *Demo
	m *appshift.Machine
}

func newShift(d *Demo) *shift {
	// A missed call makes the agent Not ready, as in the real app's default
	// policy (shift.missed_call_not_ready).
	s := &shift{d: d, m: appshift.New(nil, appshift.Options{AllowOverride: true,
		MissedCallNotReady: appconfig.DefaultPolicy().Shift.MissedCallNotReady})}
	s.m.Subscribe(func(ev appshift.Event) {
		if sc, ok := ev.(appshift.StateChanged); ok {
			st := ui.ShiftStatus{State: uiState(sc.To), Reason: string(sc.Reason.Code), Since: sc.At}
			if sc.Then != nil {
				st.Then = &ui.NextState{State: uiState(sc.Then.State), Reason: string(sc.Then.Reason.Code)}
			}
			d.emit(ui.ShiftStateChanged{Status: st})
		}
	})
	return s
}

func (s *shift) current() ui.AgentState {
	st, _ := s.m.State()
	return uiState(st)
}

// report is a GUI check report as the machine reads it.
type report ui.CheckReport

func (r report) Passed() bool           { return r.CanStart }
func (r report) FailedChecks() []string { return nil }

func (s *shift) ClockIn(_ context.Context, r ui.CheckReport, override string) error {
	if !r.CanStart && (override == "" || !r.OverrideAllowed) {
		return errCheckFailed
	}
	var o *appshift.Override
	if override != "" {
		o = &appshift.Override{Reason: override}
	}
	return s.m.ClockIn(report(r), o)
}

func (s *shift) SetState(_ context.Context, state ui.AgentState, reason string) error {
	r := appshift.Reason{Code: appshift.ReasonCode(reason)}
	switch state {
	case ui.StateAvailable:
		return s.m.SetAvailable()
	case ui.StateBreak:
		return s.m.StartBreak(r)
	case ui.StateNotReady:
		return s.m.SetNotReady(r)
	}
	return errors.New("this state follows calls and checks")
}

func (s *shift) EndWrapUp(_ context.Context, disposition string, next *ui.NextState) error {
	var n *appshift.Next
	if next != nil {
		n = &appshift.Next{State: machineState(next.State), Reason: appshift.Reason{Code: appshift.ReasonCode(next.Reason)}}
	}
	return s.m.EndWrapUp(disposition, n)
}

func (s *shift) ClockOut(context.Context) (ui.ShiftSummary, error) {
	sum, err := s.m.ClockOut()
	if err != nil {
		return ui.ShiftSummary{}, err
	}
	out := ui.ShiftSummary{Start: sum.ClockIn, End: sum.ClockOut, Calls: sum.Calls, Talk: sum.TalkTime,
		Missed: sum.Missed, Rejected: sum.Rejected, AverageHandle: sum.AverageHandle(),
		Dispositions: sum.Dispositions, InState: map[ui.AgentState]time.Duration{}}
	for st, d := range sum.TimeIn {
		out.InState[uiState(st)] += d
	}
	return out, nil
}

// Reasons are the policy's defaults.
func (s *shift) Reasons() []ui.ReasonCode {
	pol := appconfig.DefaultPolicy()
	var out []ui.ReasonCode
	for _, r := range pol.Shift.NotReadyReasons {
		out = append(out, ui.ReasonCode{Code: r.Code, State: ui.StateNotReady})
	}
	for _, r := range pol.Shift.BreakReasons {
		out = append(out, ui.ReasonCode{Code: r.Code, State: ui.StateBreak})
	}
	return out
}

func uiState(st appshift.State) ui.AgentState { return ui.AgentState(st) }

func machineState(st ui.AgentState) appshift.State { return appshift.State(st) }
