package shift

import (
	"errors"
	"testing"
	"time"
)

var tech = Reason{Code: "tech", Message: "Technical problem"}

// A call placed while Not ready is counted, keeps the reason to return
// to, and the wrap-up brings the agent back to Not ready with its reason.
func TestCallWhileNotReadyIsCountedAndReturnsToNotReady(t *testing.T) {
	m, clk, evs := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.SetNotReady(tech))
	clk.advance(time.Minute)
	must(t, m.CallStarted("out-1"))
	if st, _ := m.State(); st != OnCall {
		t.Fatalf("state during the call = %v, want on_call", st)
	}
	then := m.Then()
	if then == nil || then.State != NotReady || then.Reason.Code != "tech" {
		t.Fatalf("then = %+v, want Not ready (tech)", then)
	}
	last := (*evs)[len(*evs)-1].(StateChanged)
	if last.Then == nil || last.Then.Reason.Code != "tech" {
		t.Fatalf("the On call event does not say where the agent returns: %+v", last)
	}
	clk.advance(3 * time.Minute)
	must(t, m.CallEnded("out-1"))
	if st, _ := m.State(); st != WrapUp {
		t.Fatalf("state after the call = %v, want wrap_up", st)
	}
	clk.advance(30 * time.Second)
	must(t, m.EndWrapUp("resolved", nil))
	st, r := m.State()
	if st != NotReady || r.Code != "tech" || r.Message != "Technical problem" {
		t.Fatalf("after wrap-up: %v %+v, want Not ready (tech)", st, r)
	}
	sum, err := m.ClockOut()
	must(t, err)
	if sum.Calls != 1 || sum.TalkTime != 3*time.Minute || sum.Dispositions["resolved"] != 1 {
		t.Fatalf("summary = %+v, want the call counted with its disposition", sum)
	}
	if got := sum.AverageHandle(); got != 3*time.Minute+30*time.Second {
		t.Fatalf("AHT = %v, want talk + wrap-up", got)
	}
}

// Break keeps its reason, and a call from Break returns to Break.
func TestBreakReasonKeptAcrossACall(t *testing.T) {
	m, _, _ := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	lunch := Reason{Code: "lunch"}
	must(t, m.StartBreak(lunch))
	if st, r := m.State(); st != Break || r.Code != "lunch" {
		t.Fatalf("state = %v %+v", st, r)
	}
	must(t, m.CallStarted("c"))
	must(t, m.CallEnded("c"))
	must(t, m.EndWrapUp("", nil))
	if st, r := m.State(); st != Break || r.Code != "lunch" {
		t.Fatalf("after wrap-up: %v %+v, want Break (lunch)", st, r)
	}
}

// The agent may choose where to go after the call, during the call or at
// the end of the wrap-up.
func TestAgentChoosesStateAfterCall(t *testing.T) {
	m, _, evs := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.CallStarted("in-1"))
	training := Reason{Code: "training"}
	must(t, m.SetNotReady(training))
	if st, _ := m.State(); st != OnCall {
		t.Fatalf("choosing Not ready during a call moved the state to %v", st)
	}
	last := (*evs)[len(*evs)-1].(StateChanged)
	if last.To != OnCall || last.Then == nil || last.Then.Reason.Code != "training" {
		t.Fatalf("event = %+v, want On call then Not ready (training)", last)
	}
	must(t, m.CallEnded("in-1"))
	must(t, m.EndWrapUp("sale", nil))
	if st, r := m.State(); st != NotReady || r.Code != "training" {
		t.Fatalf("after wrap-up: %v %+v", st, r)
	}
	must(t, m.SetAvailable())
	must(t, m.CallStarted("in-2"))
	must(t, m.CallEnded("in-2"))
	must(t, m.EndWrapUp("sale", &Next{State: Break, Reason: Reason{Code: "short"}}))
	if st, r := m.State(); st != Break || r.Code != "short" {
		t.Fatalf("explicit choice: %v %+v", st, r)
	}
	sum, _ := m.ClockOut()
	if sum.Dispositions["sale"] != 2 || sum.Calls != 2 {
		t.Fatalf("summary = %+v", sum)
	}
}

// Missed and declined calls are counted apart from answered ones.
func TestMissedAndRejectedCounted(t *testing.T) {
	m, _, _ := newMachine(false)
	if err := m.CallMissed(); !errors.Is(err, ErrNotClockedIn) {
		t.Fatalf("CallMissed before the shift = %v", err)
	}
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.CallMissed())
	must(t, m.CallMissed())
	must(t, m.CallRejected())
	sum, err := m.ClockOut()
	must(t, err)
	if sum.Missed != 2 || sum.Rejected != 1 || sum.Calls != 0 || sum.AverageHandle() != 0 {
		t.Fatalf("summary = %+v", sum)
	}
}

// A headset lost during a call keeps the agent Not ready after the call
// and its wrap-up, whatever state they were in before.
func TestDeviceLostDuringCallStaysNotReadyAfterWrapUp(t *testing.T) {
	m, _, _ := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.CallStarted("c"))
	must(t, m.DeviceLost(Reason{Code: ReasonHeadsetMissing}))
	must(t, m.CallEnded("c"))
	must(t, m.EndWrapUp("resolved", nil))
	if st, r := m.State(); st != NotReady || r.Code != ReasonHeadsetMissing {
		t.Fatalf("state = %v %+v", st, r)
	}
	if err := m.SetAvailable(); !errors.Is(err, ErrRecheckRequired) {
		t.Fatalf("SetAvailable = %v", err)
	}
}

// Two calls at once (call waiting, consultation): one On call, both counted,
// wrap-up after the last.
func TestOverlappingCalls(t *testing.T) {
	m, clk, _ := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.CallStarted("a"))
	clk.advance(time.Minute)
	must(t, m.CallStarted("b"))
	must(t, m.CallStarted("b")) // repeated: counted once
	clk.advance(time.Minute)
	must(t, m.CallEnded("a"))
	if st, _ := m.State(); st != OnCall {
		t.Fatalf("state with one call left = %v", st)
	}
	must(t, m.CallEnded("b"))
	if st, _ := m.State(); st != WrapUp {
		t.Fatalf("state = %v", st)
	}
	if err := m.CallEnded("b"); err == nil {
		t.Fatal("ending a call twice counted it twice")
	}
	must(t, m.EndWrapUp("", nil))
	sum, _ := m.ClockOut()
	if sum.Calls != 2 || sum.TalkTime != 3*time.Minute {
		t.Fatalf("summary = %+v", sum)
	}
}
