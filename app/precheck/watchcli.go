package precheck

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/shift"
)

// WatchEvent is one line of `homeshore check --watch --json`: the agent's
// state as the mid-shift device guard moves it.
type WatchEvent struct {
	Event  string      `json:"event"` // "watching" once, then "not_ready"
	State  shift.State `json:"state"`
	Code   string      `json:"code,omitempty"` // shift.ReasonCode: headset_missing, device_changed
	Reason string      `json:"reason,omitempty"`
	Output string      `json:"output,omitempty"`
	Input  string      `json:"input,omitempty"`
}

// watchAfterCheck clocks a local shift in with the passing report and runs
// the guard a shift runs (Guard) on the devices that passed, printing each
// move. It returns ExitFail at the first move to Not ready (the headset
// went away or the default became a failing device), ExitPass when ctx
// ends first. IT uses it to see what a shift would do; tests to prove the
// guard on each OS.
func watchAfterCheck(ctx context.Context, rep Report, pol config.Policy, stdout, stderr io.Writer, asJSON bool) int {
	m := shift.New(nil, shift.Options{})
	lost := make(chan shift.StateChanged, 1)
	unsub := m.Subscribe(func(e shift.Event) {
		if sc, ok := e.(shift.StateChanged); ok && sc.To == shift.NotReady {
			select {
			case lost <- sc:
			default:
			}
		}
	})
	defer unsub()
	if err := m.ClockIn(rep, nil); err != nil {
		fmt.Fprintln(stderr, "homeshore check --watch:", err)
		return ExitCantRun
	}
	stop, err := Guard(ctx, m, GuardOptions{Output: rep.Output, Input: rep.Input, Policy: pol.Checks.Headset})
	if err != nil {
		fmt.Fprintln(stderr, "homeshore check --watch: cannot watch the devices:", err)
		return ExitCantRun
	}
	st, _ := m.State()
	emit := func(ev WatchEvent) {
		if asJSON {
			b, _ := json.Marshal(ev)
			fmt.Fprintf(stdout, "%s\n", b)
			return
		}
		if ev.Reason != "" {
			fmt.Fprintf(stdout, "%s: %s (%s)\n", ev.State, ev.Reason, ev.Code)
		} else {
			fmt.Fprintf(stdout, "%s: watching %s and %s\n", ev.State, ev.Output, ev.Input)
		}
	}
	emit(WatchEvent{Event: "watching", State: st, Output: rep.Output, Input: rep.Input})
	code := ExitPass
	select {
	case sc := <-lost:
		emit(WatchEvent{Event: "not_ready", State: sc.To, Code: string(sc.Reason.Code), Reason: sc.Reason.Message,
			Output: rep.Output, Input: rep.Input})
		code = ExitFail
	case <-ctx.Done():
	}
	if err := stop(); err != nil {
		fmt.Fprintln(stderr, "homeshore check --watch:", err)
	}
	return code
}
