package precheck

import (
	"context"
	"sync"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/assets/i18n"
	"github.com/homeshore/homeshore/media/devinfo"
)

var _ shift.CheckReport = Report{}

// GuardOptions configure the mid-shift device watch.
type GuardOptions struct {
	// Output and Input are the ids that passed the check (Report.Output/Input).
	Output, Input string
	Policy        config.HeadsetPolicy
	// Devices lists device facts; nil means devinfo.List.
	Devices func(context.Context) ([]devinfo.Device, error)
	// Watch signals device changes; nil means devinfo.Watch (PulseAudio events, the MMDevices registry on Windows).
	Watch func(context.Context) (<-chan struct{}, func() error, error)
	// CallsUseTheseDevices: calls open Output and Input by id, whatever the
	// system defaults are (the GUI's shift does), so only these devices
	// matter: a default that switches to Bluetooth or speakers changes
	// nothing for the calls and does not stop the agent. Without it (a
	// setup whose calls follow the default) such a switch is Not ready.
	CallsUseTheseDevices bool
	// DefaultMoved, when set, hears the system default output and input
	// at the start and whenever either changes (a zero Device: none), so
	// the agent can be told where the computer's sound goes while calls
	// stay on the checked devices. It runs on the guard's goroutine.
	DefaultMoved func(output, input devinfo.Device)
}

// Guard watches the sound server during the shift. When the checked headset
// disappears or turns into a device that fails the headset policy, or
// (unless calls use the checked devices, CallsUseTheseDevices) the system
// default output/input becomes such a device (Bluetooth, speakers, HDMI),
// the agent goes Not ready at once with the reason; m.Recheck after a new check brings them
// back. stop ends the watch and returns its error; it is idempotent.
func Guard(ctx context.Context, m *shift.Machine, o GuardOptions) (stop func() error, err error) {
	list, watch := o.Devices, o.Watch
	if list == nil {
		list = devinfo.List
	}
	if watch == nil {
		watch = devinfo.Watch
	}
	ctx, cancel := context.WithCancel(ctx)
	changed, stopWatch, err := watch(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	done := make(chan error, 1)
	go func() {
		var lastProblem string
		var lastDefaults [2]string
		defaults := func(devs []devinfo.Device) {
			if o.DefaultMoved == nil {
				return
			}
			out, in := defaultDevices(devs)
			if now := [2]string{out.ID, in.ID}; now != lastDefaults {
				lastDefaults = now
				o.DefaultMoved(out, in)
			}
		}
		check := func() {
			devs, err := list(ctx)
			if err != nil {
				return
			}
			defaults(devs)
			r, bad := guardVerdict(devs, o)
			if !bad {
				lastProblem = ""
				return
			}
			if r.Message == lastProblem {
				return // the same problem, already reported
			}
			lastProblem = r.Message
			if st, cur := m.State(); st == shift.NotReady && cur.Code == r.Code && cur.Message == r.Message {
				return
			}
			_ = m.DeviceLost(r) // ErrNotClockedIn: nothing to do before clock-in
		}
		check()
		for range changed {
			check()
		}
		err := stopWatch()
		if ctx.Err() == nil {
			_ = m.DeviceLost(shift.Reason{Code: shift.ReasonDeviceChanged,
				Message: "The sound system stopped: restart Homeshore and run the check again"})
		}
		done <- err
	}()
	var once sync.Once
	var stopErr error
	return func() error {
		once.Do(func() {
			cancel()
			stopErr = stopWatch()
			<-done
		})
		return stopErr
	}, nil
}

// defaultDevices are the system default output and input (not a monitor).
func defaultDevices(devs []devinfo.Device) (out, in devinfo.Device) {
	for _, d := range devs {
		switch {
		case d.Default && d.Direction == devinfo.Output:
			out = d
		case d.Default && d.Direction == devinfo.Input && !d.Monitor:
			in = d
		}
	}
	return out, in
}

// guardVerdict says whether the device set is no longer acceptable, and why.
func guardVerdict(devs []devinfo.Device, o GuardOptions) (shift.Reason, bool) {
	var out, in, defOut, defIn *devinfo.Device
	for i := range devs {
		d := &devs[i]
		switch {
		case d.Direction == devinfo.Output && d.ID == o.Output:
			out = d
		case d.Direction == devinfo.Input && d.ID == o.Input:
			in = d
		}
		if d.Default && d.Direction == devinfo.Output {
			defOut = d
		}
		if d.Default && d.Direction == devinfo.Input && !d.Monitor {
			defIn = d
		}
	}
	if out == nil || in == nil {
		key := "check.guard.headset_unplugged"
		if out != nil {
			key = "check.guard.mic_unplugged"
		}
		return guardReason(shift.ReasonHeadsetMissing, key), true
	}
	for _, d := range []*devinfo.Device{out, in, defOut, defIn} {
		if d == nil || d == out || d == in || o.CallsUseTheseDevices {
			continue
		}
		// A different default only matters to calls that follow the
		// default, and only when it would fail the check.
		if v := Judge(*d, o.Policy); v.Verdict == Fail {
			return guardReason(shift.ReasonDeviceChanged, "check.guard.default_switched", d.Description, kindTerm(v.Kind)), true
		}
	}
	for _, d := range []*devinfo.Device{out, in} {
		if v := Judge(*d, o.Policy); v.Verdict == Fail {
			return guardReason(shift.ReasonDeviceChanged, "check.guard.device_failed", i18n.Message{Key: v.ReasonKey, Args: v.ReasonArgs}), true
		}
	}
	return shift.Reason{}, false
}

// guardReason is why the watch sets the agent Not ready, its text from
// the catalogue.
func guardReason(code shift.ReasonCode, key string, args ...any) shift.Reason {
	return shift.Reason{Code: code, Message: message(key, args...), Key: key, Args: args}
}
