package precheck

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/devinfo"
)

// Step is one progress event: a check starting or done.
type Step struct {
	Check   string  `json:"check"`
	Done    bool    `json:"done"`
	Verdict Verdict `json:"verdict,omitempty"`
	Message string  `json:"message"`
	// Key and Args are Message in catalogue form (assets/i18n).
	Key  string `json:"-"`
	Args []any  `json:"-"`
}

// startStep announces a check starting, its text from the catalogue.
func startStep(check, key string, args ...any) Step {
	return Step{Check: check, Message: message(key, args...), Key: key, Args: args}
}

// Options drive one run of the pre-shift check.
type Options struct {
	Policy config.Policy
	// Output and Input are device ids (devinfo.Device.ID: Pulse names on
	// Linux, endpoint ids on Windows). Empty: the pinned
	// headset if any, else the system default.
	Output, Input string
	// SIPServer ("host[:port]") and Transport override the policy's sip.server/transport when set.
	SIPServer, Transport string
	// Progress, when set, receives steps (from several goroutines, serialised).
	Progress func(Step)
	// Audio opens devices; nil means DeviceAudio (media/audiodev).
	Audio Audio
	// Devices lists device facts; nil means devinfo.List.
	Devices func(context.Context) ([]devinfo.Device, error)
	// Pins remembers the headset that passed; nil means DefaultPins().
	Pins PinStore
	// RoomSeconds overrides checks.room.capture_seconds (tests use less).
	RoomSeconds float64
	// Speak, when set (GUI), asks the agent to read a sentence aloud and
	// returns when they are ready; the check then records speech_seconds.
	Speak func(context.Context) error
	// ReadAgain, when set with Speak (GUI), is called after a failed read
	// that reading again can mend (too quiet, too loud, nothing heard) with
	// what went wrong: nil when the agent starts
	// reading again (the check records again), an error (ui's
	// ErrStepSkipped) to keep the result. At most maxReads reads.
	ReadAgain func(ctx context.Context, why Finding) error
	// ConfirmSpeaker, when set (GUI), plays nothing itself: it is called after
	// the probe played and returns whether the agent heard it. Nil: headless,
	// the output's monitor is analysed instead.
	ConfirmSpeaker func(context.Context) (bool, error)
}

// ListDevices returns every device with its kind and verdict under the
// current IT policy (for `homeshore devices --json`).
func ListDevices(ctx context.Context, pol config.Policy) ([]DeviceVerdict, error) {
	devs, err := devinfo.List(ctx)
	if err != nil {
		return nil, err
	}
	return judgeAll(devs, pol.Checks.Headset), nil
}

func judgeAll(devs []devinfo.Device, pol config.HeadsetPolicy) []DeviceVerdict {
	out := make([]DeviceVerdict, 0, len(devs))
	for _, d := range devs {
		out = append(out, Judge(d, pol))
	}
	return out
}

// Run executes every check and returns the report. The error is non-nil
// only when nothing could run (the report then says why, exit code 2).
func Run(ctx context.Context, o Options) (Report, error) {
	r := Report{Started: time.Now().UTC(), PolicyFile: o.Policy.Source()}
	var progMu sync.Mutex
	progress := func(s Step) {
		if o.Progress != nil {
			progMu.Lock()
			o.Progress(s)
			progMu.Unlock()
		}
	}
	pol := o.Policy
	results := map[string]*CheckResult{}
	record := func(c CheckResult, start time.Time) {
		c.Mandatory = pol.Mandatory(c.Name)
		c.DurationMS = time.Since(start).Milliseconds()
		done := Step{Check: c.Name, Done: true, Verdict: c.Verdict}
		if len(c.Findings) > 0 {
			f := c.Findings[len(c.Findings)-1]
			for _, g := range c.Findings {
				if g.Verdict == c.Verdict {
					f = g
					break
				}
			}
			done.Message, done.Key, done.Args = f.Message, f.Key, f.Args
		}
		progress(done)
		progMu.Lock()
		results[c.Name] = &c
		progMu.Unlock()
	}

	// Network runs alongside the audio checks: it uses no audio device.
	var netWG sync.WaitGroup
	netWG.Go(func() {
		start := time.Now()
		server := o.SIPServer
		if server == "" {
			server = pol.SIP.Server
		}
		transport := o.Transport
		if transport == "" {
			transport = pol.SIP.Transport
		}
		progress(startStep(config.CheckNetwork, "check.step.network"))
		if server == "" {
			c := CheckResult{Name: config.CheckNetwork, Verdict: Pass}
			c.addKey(Error, "no_server", "check.msg.no_server_configured")
			record(c, start)
			return
		}
		record(checkNetwork(ctx, server, transport, pol.Checks.Network), start)
	})

	runErr := runAudioChecks(ctx, o, progress, record)
	netWG.Wait()

	for _, name := range config.AllChecks() {
		if c, ok := results[name]; ok {
			r.Checks = append(r.Checks, *c)
		}
	}
	if runErr != nil && errors.Is(runErr, ErrNoAudio) && !slices.ContainsFunc(r.Checks, func(c CheckResult) bool { return c.Name == config.CheckHeadset }) {
		c := CheckResult{Name: config.CheckHeadset, Mandatory: pol.Mandatory(config.CheckHeadset)}
		c.add(Error, "no_audio", runErr.Error())
		r.Checks = append([]CheckResult{c}, r.Checks...)
	}
	r.finish()
	r.DurationMS = time.Since(r.Started).Milliseconds()
	if sel, ok := results[config.CheckHeadset]; ok {
		if f, ok := sel.Figures.(*HeadsetFigures); ok {
			r.Output, r.Input = f.Output.ID, f.Input.ID
		}
	}
	if ctx.Err() != nil {
		return r, ctx.Err()
	}
	return r, nil
}

// HeadsetFigures are the chosen pair and each side's verdict.
type HeadsetFigures struct {
	Output DeviceVerdict `json:"output"`
	Input  DeviceVerdict `json:"input"`
	Pinned bool          `json:"pinned"`
}

// runAudioChecks: headset metadata, then leak+speaker, room, microphone.
func runAudioChecks(ctx context.Context, o Options, progress func(Step), record func(CheckResult, time.Time)) error {
	pol := o.Policy.Checks
	start := time.Now()
	progress(startStep(config.CheckHeadset, "check.step.headset"))
	skipAll := func(reason string) {
		for _, n := range []string{config.CheckLeak, config.CheckSpeaker, config.CheckRoom, config.CheckMicrophone} {
			c := CheckResult{Name: n, Verdict: Skipped}
			c.Findings = []Finding{{Code: "not_run", Verdict: Skipped, Message: reason}}
			record(c, time.Now())
		}
	}
	list := o.Devices
	if list == nil {
		list = devinfo.List
	}
	devs, err := list(ctx)
	if err != nil {
		c := CheckResult{Name: config.CheckHeadset}
		c.add(Error, "no_audio", err.Error())
		record(c, start)
		skipAll("Not run: the sound system could not be read")
		return fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	pins := o.Pins
	if pins == nil {
		if fp, err := DefaultPins(); err == nil {
			pins = fp
		} else {
			pins = NoPins{}
		}
	}
	hc, out, in, pinned := checkHeadset(devs, o, pins)
	metaDur := time.Since(start) // the headset's own time excludes the leak test that settles it
	if hc.Verdict == Fail && (out.ID == "" || in.ID == "") {
		record(hc, start)
		skipAll("Not run: no headset to test")
		return nil
	}
	a := o.Audio
	if a == nil {
		a = DeviceAudio{}
	}

	// Leak and speaker share one probe playback.
	ls := time.Now()
	progress(startStep(config.CheckLeak, "check.step.leak"))
	leak, speaker, err := leakAndSpeaker(ctx, a, out.ID, in.ID, pol, o.ConfirmSpeaker == nil)
	if err != nil {
		leak = CheckResult{Name: config.CheckLeak}
		leak.add(Error, "leak_error", err.Error())
		speaker = CheckResult{Name: config.CheckSpeaker}
		speaker.add(Error, "speaker_error", err.Error())
	} else if o.ConfirmSpeaker != nil {
		heard, cerr := o.ConfirmSpeaker(ctx)
		speaker.Figures = SpeakerFigures{Method: "agent", Heard: heard}
		switch {
		case cerr != nil:
			speaker.addKey(Error, "speaker_error", "check.msg.speaker_no_answer", cerr.Error())
		case heard:
			speaker.addKey(Pass, "speaker_ok", "check.msg.speaker_heard")
		default:
			speaker.addKey(Fail, "speaker_silent", "check.msg.speaker_not_heard")
		}
		if cerr != nil || !heard {
			leak = unverifiedLeak(leak, "check.msg.leak_unverified_not_heard")
		}
	}
	if err == nil && out.Muted {
		leak = unverifiedLeak(leak, "check.msg.leak_unverified_muted")
	}
	if p, _ := processing(in); err == nil && p {
		leak = unverifiedLeak(leak, "check.msg.leak_unverified_processing")
	}
	// The acoustic tests settle what metadata could not tell: the leak test
	// the output, the read sentence the microphone. The headset is recorded
	// (and pinned) once both ran, whatever path this function leaves by.
	var mic *CheckResult
	defer func() {
		settleHeadset(&hc, leak, mic)
		record(hc, time.Now().Add(-metaDur))
		if ctx.Err() == nil && pol.Headset.Pin && hc.Verdict == Pass && !pinned {
			_ = pins.Save(Pin{Output: out.ID, Input: in.ID, Description: out.Description, USBID: out.USBID(), At: time.Now().UTC()})
		}
	}()
	record(leak, ls)
	record(speaker, ls)

	rs := time.Now()
	secs := o.RoomSeconds
	if secs <= 0 {
		secs = o.Policy.Checks.Room.CaptureSeconds
	}
	progress(startStep(config.CheckRoom, "check.step.room", secs))
	var roomX []float32
	src, err := a.OpenCapture(in.ID)
	if err == nil {
		roomX, err = captureBounded(ctx, src, int(secs*48000))
	}
	if errors.Is(err, ErrCaptureStalled) {
		c := CheckResult{Name: config.CheckRoom}
		c.addKey(Error, "room_gaps", "check.msg.room_stalled")
		record(c, rs)
		m := CheckResult{Name: config.CheckMicrophone}
		m.addKey(Error, "mic_stalled", "check.msg.mic_stalled", int(secs))
		mic = &m
		record(m, rs)
		return nil
	}
	if err != nil {
		c := CheckResult{Name: config.CheckRoom}
		c.add(Error, "room_error", err.Error())
		record(c, rs)
		m := CheckResult{Name: config.CheckMicrophone}
		m.add(Error, "mic_error", err.Error())
		record(m, rs)
		return nil
	}
	record(judgeRoom(roomX, pol, calibration(pol, in)), rs)

	ms := time.Now()
	var speech []float32
	if o.Speak != nil {
		progress(startStep(config.CheckMicrophone, "check.step.microphone"))
		if err := o.Speak(ctx); err == nil {
			if src, err := a.OpenCapture(in.ID); err == nil {
				speech, _ = captureBounded(ctx, src, int(pol.Microphone.SpeechSeconds*48000))
			}
		}
	}
	m := judgeMic(roomX, speech, in.Muted, pol.Microphone)
	for reads := 1; speech != nil && o.ReadAgain != nil && reads < maxReads && ctx.Err() == nil; reads++ {
		why, ok := readFault(m, judgeMic(roomX, nil, in.Muted, pol.Microphone))
		if !ok || o.ReadAgain(ctx, why) != nil {
			break
		}
		src, err := a.OpenCapture(in.ID)
		if err != nil {
			break
		}
		again, err := captureBounded(ctx, src, int(pol.Microphone.SpeechSeconds*48000))
		if err != nil || again == nil {
			break
		}
		speech, m = again, judgeMic(roomX, again, in.Muted, pol.Microphone)
	}
	if speech == nil && pol.Microphone.RequireSpeaking {
		m.add(Warn, "speech_not_measured")
	}
	mic = &m
	record(m, ms)
	return nil
}

func calibration(pol config.ChecksPolicy, in devinfo.Device) *float64 {
	for _, key := range []string{in.ID, in.USBID()} {
		if c, ok := pol.Calibration[key]; ok && key != "" {
			v := c.OffsetDB
			return &v
		}
	}
	return nil
}

// maxReads bounds how often the agent reads the sentence in one check.
const maxReads = 3

// readFault is the failing finding of the read sentence, when reading
// again can mend it: the microphone passed on the silent room (room) and
// failed on the speech (withSpeech). A muted or broken microphone is not
// the read's; a warning (a little quiet) is not worth a second read.
func readFault(withSpeech, room CheckResult) (Finding, bool) {
	if room.Verdict != Pass || withSpeech.Verdict != Fail {
		return Finding{}, false
	}
	for _, f := range withSpeech.Findings {
		if f.Verdict == withSpeech.Verdict {
			return f, true
		}
	}
	return Finding{}, false
}
