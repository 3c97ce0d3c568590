package core

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media/devinfo"
)

// fakeSound is a sound server whose devices the test plugs and unplugs.
type fakeSound struct {
	mu      sync.Mutex
	devs    []devinfo.Device
	changed chan struct{}
}

func (f *fakeSound) list(context.Context) ([]devinfo.Device, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]devinfo.Device(nil), f.devs...), nil
}

func (f *fakeSound) watch(ctx context.Context) (<-chan struct{}, func() error, error) {
	out := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-ctx.Done():
				return
			case <-done:
				return
			case <-f.changed:
				select {
				case out <- struct{}{}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	var once sync.Once
	return out, func() error { once.Do(func() { close(done) }); return nil }, nil
}

func (f *fakeSound) unplug() {
	f.mu.Lock()
	f.devs = nil
	f.mu.Unlock()
	f.changed <- struct{}{}
}

var usbHeadset = []devinfo.Device{
	{ID: "usb-headset", Description: "USB headset", Direction: devinfo.Output, Bus: "usb", FormFactor: "headset", Default: true},
	{ID: "usb-headset-mic", Description: "USB headset mic", Direction: devinfo.Input, Bus: "usb", FormFactor: "headset", Default: true},
}

func passingReport(context.Context, precheck.Options) (precheck.Report, error) {
	return precheck.Report{Verdict: precheck.Pass, Output: "usb-headset", Input: "usb-headset-mic",
		Checks: []precheck.CheckResult{{Name: config.CheckHeadset, Verdict: precheck.Pass, Mandatory: true,
			Findings: []precheck.Finding{{Verdict: precheck.Pass, Message: "USB headset (wired)"}}}}}, nil
}

// TestUnpluggedHeadsetMakesAgentNotReady: the guard runs from clock-in; an
// unplugged headset sends DeviceLost then Not ready; going Available needs a
// new passing check, after which it works.
func TestUnpluggedHeadsetMakesAgentNotReady(t *testing.T) {
	snd := &fakeSound{devs: usbHeadset, changed: make(chan struct{})}
	c := newTestCore(t, config.Profile{}, nil, func(o *Options) {
		o.ListDevices, o.WatchDevices, o.RunChecks = snd.list, snd.watch, passingReport
	})
	be := c.Backend()
	events := be.Events.Events()
	rep, err := be.Checker.Run(ctxFor(t, 5*time.Second), nil)
	if err != nil || !rep.CanStart || len(rep.Results) != 1 || rep.Results[0].Figures.Plain != "USB headset (wired)" {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), rep, ""); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, events, 5*time.Second).(ui.ShiftStateChanged); ev.Status.State != ui.StateAvailable || ev.Status.ShiftStart.IsZero() {
		t.Fatalf("after clock-in %+v", ev)
	}
	snd.unplug()
	lost, ok := nextEvent(t, events, 5*time.Second).(ui.DeviceLost)
	if !ok || lost.Device != "USB headset" || lost.Message.Plain == "" || lost.Message.Key == "" {
		t.Fatalf("want DeviceLost for the headset, got %+v", lost)
	}
	st := nextEvent(t, events, 5*time.Second).(ui.ShiftStateChanged)
	if st.Status.State != ui.StateNotReady || st.Status.Reason != string(shift.ReasonHeadsetMissing) {
		t.Fatalf("after unplug %+v", st)
	}
	if err := be.Shift.SetState(ctxFor(t, 5*time.Second), ui.StateAvailable, ""); !errors.Is(err, shift.ErrRecheckRequired) {
		t.Fatalf("available without a check: %v, want ErrRecheckRequired", err)
	}
	if _, err := be.Checker.Run(ctxFor(t, 5*time.Second), nil); err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.SetState(ctxFor(t, 5*time.Second), ui.StateAvailable, ""); err != nil {
		t.Fatalf("available after a passing check: %v", err)
	}
	if st := nextEvent(t, events, 5*time.Second).(ui.ShiftStateChanged); st.Status.State != ui.StateAvailable {
		t.Fatalf("after recheck %+v", st)
	}
	sum, err := be.Shift.ClockOut(ctxFor(t, 5*time.Second))
	if err != nil || sum.Calls != 0 || sum.InState[ui.StateNotReady] <= 0 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
}

// TestClockInOverride: a failed check blocks the shift unless IT allows an
// override and the agent gives a reason.
func TestClockInOverride(t *testing.T) {
	failing := func(context.Context, precheck.Options) (precheck.Report, error) {
		return precheck.Report{Checks: []precheck.CheckResult{{Name: config.CheckRoom, Verdict: precheck.Fail, Mandatory: true,
			Findings: []precheck.Finding{{Verdict: precheck.Fail, Message: "Close the door; noise 52 dBA, limit 45"}}}}}, nil
	}
	for _, allow := range []bool{false, true} {
		pol := config.DefaultPolicy()
		pol.Checks.AllowOverride = allow
		c := newTestCore(t, config.Profile{}, &pol, func(o *Options) { o.RunChecks = failing })
		be := c.Backend()
		rep, err := be.Checker.Run(ctxFor(t, 5*time.Second), nil)
		if err != nil || rep.CanStart || rep.OverrideAllowed != allow || rep.Results[0].Fix.Plain != "Close the door; noise 52 dBA, limit 45" {
			t.Fatalf("report %+v, %v", rep, err)
		}
		if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), rep, ""); !errors.Is(err, shift.ErrChecksFailed) {
			t.Fatalf("clock-in without override: %v", err)
		}
		err = be.Shift.ClockIn(ctxFor(t, 5*time.Second), rep, "door broken, IT informed")
		if allow && err != nil {
			t.Fatalf("override allowed: %v", err)
		}
		if !allow && !errors.Is(err, shift.ErrOverrideNotAllowed) {
			t.Fatalf("override not allowed: %v", err)
		}
	}
}
