package shift

import (
	"errors"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

type report struct {
	ok     bool
	failed []string
}

func (r report) Passed() bool           { return r.ok }
func (r report) FailedChecks() []string { return r.failed }

func newMachine(allowOverride bool) (*Machine, *fakeClock, *[]Event) {
	clk := &fakeClock{t: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)}
	m := New(clk, Options{AllowOverride: allowOverride})
	var evs []Event
	m.Subscribe(func(e Event) { evs = append(evs, e) })
	return m, clk, &evs
}

func TestClockInNeedsPassingCheck(t *testing.T) {
	m, _, _ := newMachine(false)
	if err := m.BeginCheck(); err != nil {
		t.Fatal(err)
	}
	bad := report{failed: []string{"headset"}}
	if err := m.ClockIn(bad, nil); !errors.Is(err, ErrChecksFailed) {
		t.Fatalf("ClockIn(failed) = %v, want ErrChecksFailed", err)
	}
	if err := m.ClockIn(bad, &Override{Reason: "manager ok"}); !errors.Is(err, ErrOverrideNotAllowed) {
		t.Fatalf("override without policy = %v", err)
	}
	if st, _ := m.State(); st != Checking {
		t.Fatalf("state = %v, want checking", st)
	}
	if err := m.ClockIn(report{ok: true}, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.State(); st != Available {
		t.Fatalf("state = %v", st)
	}
}

func TestOverrideNeedsReasonAndIsRecorded(t *testing.T) {
	m, _, evs := newMachine(true)
	bad := report{failed: []string{"room"}}
	if err := m.ClockIn(bad, &Override{Reason: "  "}); !errors.Is(err, ErrOverrideReasonRequired) {
		t.Fatalf("blank reason = %v", err)
	}
	if err := m.ClockIn(bad, &Override{Reason: "supervisor approved, door broken"}); err != nil {
		t.Fatal(err)
	}
	var in *ClockedIn
	for _, e := range *evs {
		if ci, ok := e.(ClockedIn); ok {
			in = &ci
		}
	}
	if in == nil || in.Passed || in.Override == nil || in.Override.Reason != "supervisor approved, door broken" ||
		len(in.Failed) != 1 || string(in.Report) == "" {
		t.Fatalf("ClockedIn event = %+v", in)
	}
}

func TestDeviceLostNeedsRecheck(t *testing.T) {
	m, clk, evs := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	must(t, m.CallStarted("c1"))
	clk.advance(3 * time.Minute)
	must(t, m.DeviceLost(Reason{Code: ReasonHeadsetMissing, Message: "Headset unplugged"}))
	st, r := m.State()
	if st != NotReady || r.Code != ReasonHeadsetMissing {
		t.Fatalf("state = %v %v", st, r)
	}
	last := (*evs)[len(*evs)-1].(StateChanged)
	if last.From != OnCall || last.To != NotReady || last.Reason.Code != ReasonHeadsetMissing {
		t.Fatalf("last event = %+v", last)
	}
	must(t, m.CallEnded("c1"))
	if st, _ := m.State(); st != NotReady {
		t.Fatalf("call end left Not ready: %v", st)
	}
	if err := m.SetAvailable(); !errors.Is(err, ErrRecheckRequired) {
		t.Fatalf("SetAvailable = %v", err)
	}
	must(t, m.BeginCheck())
	must(t, m.Recheck(report{failed: []string{"headset"}}))
	if st, r := m.State(); st != NotReady || r.Code != ReasonCheckFailed {
		t.Fatalf("after failed recheck: %v %v", st, r)
	}
	must(t, m.Recheck(report{ok: true}))
	if st, _ := m.State(); st != Available {
		t.Fatalf("after recheck: %v", st)
	}
}

func TestSummaryCountsCallsAndStates(t *testing.T) {
	m, clk, evs := newMachine(false)
	must(t, m.ClockIn(report{ok: true}, nil))
	clk.advance(10 * time.Minute)
	must(t, m.CallStarted("c1"))
	clk.advance(4 * time.Minute)
	must(t, m.CallEnded("c1"))
	clk.advance(1 * time.Minute)
	must(t, m.SetAvailable())
	clk.advance(5 * time.Minute)
	must(t, m.StartBreak(Reason{}))
	clk.advance(15 * time.Minute)
	must(t, m.SetAvailable())
	must(t, m.CallStarted("c1"))
	clk.advance(2 * time.Minute)
	if _, err := m.ClockOut(); err == nil {
		t.Fatal("clock-out during a call succeeded")
	}
	must(t, m.CallEnded("c1"))
	must(t, m.SetNotReady(Reason{}))
	clk.advance(time.Minute)
	sum, err := m.ClockOut()
	must(t, err)
	want := map[State]time.Duration{Available: 15 * time.Minute, OnCall: 6 * time.Minute,
		WrapUp: time.Minute, Break: 15 * time.Minute, NotReady: time.Minute}
	if sum.Calls != 2 || sum.TalkTime != 6*time.Minute || sum.ClockOut.Sub(sum.ClockIn) != 38*time.Minute {
		t.Fatalf("summary = %+v", sum)
	}
	for s, d := range want {
		if sum.TimeIn[s] != d {
			t.Errorf("time in %v = %v, want %v", s, sum.TimeIn[s], d)
		}
	}
	if _, ok := (*evs)[len(*evs)-1].(ClockedOut); !ok {
		t.Fatalf("last event %T, want ClockedOut", (*evs)[len(*evs)-1])
	}
	if st, _ := m.State(); st != Offline {
		t.Fatalf("state after clock-out = %v", st)
	}
}

func TestSubscriberMayCallBack(t *testing.T) {
	m, _, _ := newMachine(false)
	var order []State
	m.Subscribe(func(e Event) {
		if sc, ok := e.(StateChanged); ok {
			order = append(order, sc.To)
			if sc.To == Available && len(order) == 1 {
				_ = m.StartBreak(Reason{})
			}
		}
	})
	must(t, m.ClockIn(report{ok: true}, nil))
	if len(order) != 2 || order[0] != Available || order[1] != Break {
		t.Fatalf("order = %v", order)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
