package core

import (
	"context"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media/devinfo"
)

// checker is ui.Checker over precheck.Run and ui.DeviceLister over the
// headset verdicts. It keeps the last report: clock-in and the device
// guard need its figures and the devices that passed.
type checker struct {
	c *Core

	mu     sync.Mutex
	report *precheck.Report
	at     time.Time
	// headset is the checked headset's name as the agent knows it; usbID
	// its "vvvv:pppp".
	headset, usbID string
}

// Run runs the whole pre-shift check on the agent's chosen devices. With
// the agent at the screen it shows the live level and countdowns, asks
// them to read a sentence (the microphone's level and distance from the
// mouth) and, where the computer cannot listen to its own output, whether
// they heard the test sound; nil agent runs it as `homeshore check` does.
func (k *checker) Run(ctx context.Context, agent ui.CheckAgent) (ui.CheckReport, error) {
	acc, set, _ := k.c.settings.Load()
	names := config.AllChecks()
	step := 0
	var stepMu sync.Mutex
	opts := precheck.Options{
		Policy: k.c.policy, Input: set.InputDevice, Output: set.OutputDevice,
		SIPServer: acc.Server, Transport: acc.Transport, Devices: k.c.opts.ListDevices, Pins: k.c.opts.Pins,
		RoomSeconds: k.c.opts.CheckRoomSeconds,
	}
	if agent != nil {
		meter := newCheckMeter(agent, k.c.policy.Checks, opts.RoomSeconds)
		opts.Progress = func(s precheck.Step) {
			stepMu.Lock()
			if s.Done {
				step++
			}
			p := ui.CheckProgress{Step: min(step, len(names)-1), Steps: len(names), Current: ui.Text{Plain: s.Message, Key: s.Key, Args: s.Args}}
			stepMu.Unlock()
			meter.step(p, s.Check, s.Done)
		}
		inner := k.c.opts.CheckAudio
		if inner == nil {
			inner = precheck.DeviceAudio{}
		}
		audio := &checkAudio{Audio: inner, meter: meter}
		opts.Audio = audio
		opts.Speak = func(ctx context.Context) error {
			if err := agent.ReadAloud(ctx, k.c.policy.Checks.Microphone.SpeechSeconds); err != nil {
				return err
			}
			meter.startReading()
			return nil
		}
		if !hasMonitor(inner, set.OutputDevice) {
			replay := audio.replay(k.c.policy.Checks.Leak)
			opts.ConfirmSpeaker = func(ctx context.Context) (bool, error) { return agent.HeardSound(ctx, replay) }
		}
	} else if k.c.opts.CheckAudio != nil {
		opts.Audio = k.c.opts.CheckAudio
	}
	run := k.c.opts.RunChecks
	if run == nil {
		run = precheck.Run
	}
	rep, err := run(ctx, opts)
	if err != nil {
		return ui.CheckReport{}, err
	}
	name, usb := k.describe(ctx, rep.Output)
	k.mu.Lock()
	k.report, k.at, k.headset, k.usbID = &rep, time.Now(), name, usb
	k.mu.Unlock()
	return k.uiReport(rep), nil
}

// uiReport flattens a report for the check screen.
func (k *checker) uiReport(rep precheck.Report) ui.CheckReport {
	out := ui.CheckReport{CanStart: rep.Passed(), OverrideAllowed: k.c.policy.Checks.AllowOverride}
	for _, c := range rep.Checks {
		// The GUI names the check from its catalogue by Check.
		r := ui.CheckResult{Name: c.Name, Check: c.Name, Verdict: uiVerdict(c.Verdict)}
		for _, f := range c.Findings {
			text := ui.Text{Plain: f.Message, Key: f.Key, Args: f.Args}
			if f.Verdict == precheck.Pass || f.Verdict == precheck.Skipped {
				if r.Figures.Empty() {
					r.Figures = text
				}
				continue
			}
			if r.Fix.Empty() || f.Verdict == c.Verdict {
				r.Fix = text
			}
		}
		if !c.Mandatory && r.Verdict == ui.VerdictFail {
			r.Verdict = ui.VerdictWarn // IT does not require it: it never blocks the shift
		}
		out.Results = append(out.Results, r)
	}
	return out
}

func uiVerdict(v precheck.Verdict) ui.Verdict {
	switch v {
	case precheck.Warn:
		return ui.VerdictWarn
	case precheck.Fail, precheck.Error:
		return ui.VerdictFail
	case precheck.Skipped:
		return ui.VerdictSkipped
	}
	return ui.VerdictPass
}

func (k *checker) last() (precheck.Report, bool) {
	rep, _, ok := k.lastAt()
	return rep, ok
}

func (k *checker) lastAt() (precheck.Report, time.Time, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.report == nil {
		return precheck.Report{}, time.Time{}, false
	}
	return *k.report, k.at, true
}

// headsetProved reports whether the last check proved a headset on these
// devices ("" = the default, whichever the check used): headset and leak
// checks both passed. It turns an "auto" echo canceller off.
func (k *checker) headsetProved(input, output string) bool {
	rep, ok := k.last()
	if !ok || (input != "" && input != rep.Input) || (output != "" && output != rep.Output) {
		return false
	}
	passed := 0
	for _, c := range rep.Checks {
		if (c.Name == config.CheckHeadset || c.Name == config.CheckLeak) && c.Verdict == precheck.Pass {
			passed++
		}
	}
	return passed == 2
}

// describe is a device's description ("Jabra Evolve 30", else its id)
// and its USB id ("0b0e:2453", "" when not USB).
func (k *checker) describe(ctx context.Context, id string) (name, usbID string) {
	list := k.c.opts.ListDevices
	if list == nil {
		list = devinfo.List
	}
	devs, err := list(ctx)
	if err == nil {
		for _, d := range devs {
			if d.ID == id {
				name = d.Description
				usbID = d.USBID()
			}
		}
	}
	if name == "" {
		name = id
	}
	return name, usbID
}

// headsetUSBID is the checked headset's USB id, to find its buttons.
func (k *checker) headsetUSBID() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.usbID
}

// headsetName names the headset the guard watches, for the alert.
func (k *checker) headsetName() string {
	k.mu.Lock()
	name := k.headset
	k.mu.Unlock()
	if name != "" {
		return name
	}
	if rep, ok := k.last(); ok && rep.Input != "" {
		return rep.Input
	}
	return "headset"
}

// Devices lists inputs and outputs with the headset verdict under policy.
func (k *checker) Devices(ctx context.Context) ([]ui.Device, error) {
	list := k.c.opts.ListDevices
	if list == nil {
		list = devinfo.List
	}
	devs, err := list(ctx)
	if err != nil {
		return nil, err
	}
	var out []ui.Device
	for _, d := range devs {
		if d.Monitor {
			continue // a sink's monitor is not a microphone
		}
		v := precheck.Judge(d, k.c.policy.Checks.Headset)
		kind := ui.DeviceOutput
		if d.Direction == devinfo.Input {
			kind = ui.DeviceInput
		}
		name := d.Description
		if name == "" {
			name = d.ID
		}
		out = append(out, ui.Device{ID: d.ID, Name: name, Kind: kind, Verdict: uiVerdict(v.Verdict), Note: ui.Text{Plain: v.Reason, Key: v.ReasonKey, Args: v.ReasonArgs}})
	}
	return out, nil
}
