package shift

import (
	"testing"
	"time"
)

// shift.missed_call_not_ready: a call that rang out while the agent was
// Available makes them Not ready (missed_call), with an event for the
// backend; Available brings them back. Off, or in any other state, the
// missed call is only counted.
func TestMissedCallMakesTheAgentNotReady(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
	m := New(clk, Options{MissedCallNotReady: true})
	var evs []Event
	m.Subscribe(func(e Event) { evs = append(evs, e) })
	must(t, m.ClockIn(report{ok: true}, nil))
	clk.advance(time.Minute)
	must(t, m.CallMissed())
	st, r := m.State()
	if st != NotReady || r.Code != ReasonMissedCall || r.Key != "reason.missed_call" {
		t.Fatalf("after a missed call: %v %+v, want Not ready (missed_call)", st, r)
	}
	last, ok := evs[len(evs)-1].(StateChanged)
	if !ok || last.From != Available || last.To != NotReady || last.Reason.Code != ReasonMissedCall {
		t.Fatalf("event %+v, want Available → Not ready (missed_call)", evs[len(evs)-1])
	}
	// A second missed call (one rang as the state changed) changes nothing more.
	n := len(evs)
	must(t, m.CallMissed())
	if len(evs) != n {
		t.Fatalf("a second missed call moved the agent again: %+v", evs[n:])
	}
	must(t, m.SetAvailable())
	if st, _ := m.State(); st != Available {
		t.Fatalf("Available after a missed call: %v", st)
	}

	// Not ready with a reason of their own, on Break, on a call (a waiting
	// call that rang out): the state is the agent's, not the missed call's.
	must(t, m.SetNotReady(tech))
	must(t, m.CallMissed())
	if st, r := m.State(); st != NotReady || r.Code != "tech" {
		t.Fatalf("Not ready (tech) after a missed call: %v %+v", st, r)
	}
	must(t, m.SetAvailable())
	must(t, m.CallStarted("in-1"))
	must(t, m.CallMissed())
	if st, _ := m.State(); st != OnCall {
		t.Fatalf("a waiting call missed during a call: %v, want on_call", st)
	}
	must(t, m.CallEnded("in-1"))
	must(t, m.EndWrapUp("resolved", nil))
	if st, _ := m.State(); st != Available {
		t.Fatalf("after the wrap-up: %v, want available", st)
	}
	sum, err := m.ClockOut()
	must(t, err)
	if sum.Missed != 4 {
		t.Fatalf("missed %d, want 4", sum.Missed)
	}

	// IT turned it off: only counted.
	off, _, _ := newMachine(false)
	must(t, off.ClockIn(report{ok: true}, nil))
	must(t, off.CallMissed())
	if st, _ := off.State(); st != Available {
		t.Fatalf("policy off: %v after a missed call, want available", st)
	}
}
