package precheck

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
	"github.com/homeshore/homeshore/media/devinfo"
)

// Devices of the judgement tests (property sets as PulseAudio reports them).
var (
	devPlainOut = devinfo.FromPulseProps("plain_out", devinfo.Output, map[string]string{"device.description": "Plain"}, nil, "")
	devPlainIn  = devinfo.FromPulseProps("plain_in", devinfo.Input, map[string]string{"device.description": "PlainMic"}, nil, "")
	devUSBOut   = devinfo.FromPulseProps("alsa_output.usb-Jabra_EVOLVE_40", devinfo.Output,
		map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.description": "Jabra EVOLVE 40"}, nil, "")
	devUSBIn = devinfo.FromPulseProps("alsa_input.usb-Jabra_EVOLVE_40", devinfo.Input,
		map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.description": "Jabra EVOLVE 40 Mono"}, nil, "")
)

func fixedDevices(devs ...devinfo.Device) func(context.Context) ([]devinfo.Device, error) {
	return func(context.Context) ([]devinfo.Device, error) { return devs, nil }
}

func runFake(t *testing.T, a *fakeAudio, out, in devinfo.Device) (Report, map[string]CheckResult) {
	t.Helper()
	pol := config.DefaultPolicy()
	rep, err := Run(context.Background(), Options{Policy: pol, Output: out.ID, Input: in.ID, Audio: a,
		Devices: fixedDevices(out, in), Pins: NoPins{}, RoomSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]CheckResult{}
	for _, c := range rep.Checks {
		got[c.Name] = c
	}
	return rep, got
}

func hasCode(c CheckResult, code string) bool {
	for _, f := range c.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

// A microphone that gives no usable signal makes the leak test unable to
// measure: it must never prove a headset (issue 11: a dead, muted or stuck
// microphone made the leak test "pass" with a limit of 134 dB, and the
// unrecognised device was upgraded to a proven headset).
func TestLeakWithoutSignalNeverProvesAHeadset(t *testing.T) {
	square := func(i int) float32 { // stuck at the rails
		if (i/24)%2 == 0 {
			return 32767.0 / 32768
		}
		return -1
	}
	noise := noiseAt(-80, 3)
	cases := map[string]func(int) float32{
		"digital silence (muted)": nil,
		"DC offset only":          func(int) float32 { return 0.25 },
		"DC offset and 1 LSB":     func(i int) float32 { return 0.25 + float32(i%2)/32768 },
		"dither below any mic":    func(i int) float32 { return float32(i%3-1) / 32768 },
		"square wave at the rail": square,
		"two fixed values":        func(i int) float32 { return float32(1-2*((i/7)%2)) * 0.3 },
		"dropouts":                func(i int) float32 { return noise(i) * float32(min(1, (i/4800)%3)) },
	}
	for name, mic := range cases {
		t.Run(name, func(t *testing.T) {
			a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
			a.mic = mic
			_, got := runFake(t, a, devPlainOut, devPlainIn)
			hs, leak := got[config.CheckHeadset], got[config.CheckLeak]
			if hs.Verdict == Pass || hasCode(hs, "acoustic_headset") {
				t.Errorf("headset %s, findings %s", hs.Verdict, dump(hs.Findings))
			}
			if leak.Verdict == Pass || leak.Verdict == Warn {
				t.Errorf("leak %s: a capture without usable signal proves nothing: %s", leak.Verdict, dump(leak.Findings))
			}
			if mic := got[config.CheckMicrophone]; mic.Verdict == Pass {
				t.Errorf("microphone passed: %s", dump(mic.Findings))
			}
		})
	}
}

// The probe must have played for its absence in the microphone to mean
// anything: a muted output is not a headset.
func TestLeakWithoutProbePlayedNeverProvesAHeadset(t *testing.T) {
	a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 5)
	muted := &mutedOutput{a}
	pol := config.DefaultPolicy()
	rep, err := Run(context.Background(), Options{Policy: pol, Output: devPlainOut.ID, Input: devUSBIn.ID, Audio: muted,
		Devices: fixedDevices(devPlainOut, devUSBIn), Pins: NoPins{}, RoomSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.Name == config.CheckHeadset && (c.Verdict == Pass || hasCode(c, "acoustic_headset")) {
			t.Errorf("muted output proved a headset: %s", dump(c.Findings))
		}
		if c.Name == config.CheckLeak && c.Verdict == Pass {
			t.Errorf("leak passed without the probe playing: %s", dump(c.Findings))
		}
	}
}

// Headless on a system that cannot listen to its outputs (no monitor),
// finding no echo proves nothing: an unknown output stays unproven.
func TestLeakWithoutMonitorNeverProvesAHeadset(t *testing.T) {
	a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 6)
	a.noMonitor = true
	_, got := runFake(t, a, devPlainOut, devUSBIn)
	if hs := got[config.CheckHeadset]; hs.Verdict == Pass || hasCode(hs, "acoustic_headset") {
		t.Errorf("headset %s: %s", hs.Verdict, dump(hs.Findings))
	}
	if leak := got[config.CheckLeak]; leak.Verdict != Warn || leak.Findings[0].Code != "leak_unconfirmed" {
		t.Errorf("leak %s: %s", leak.Verdict, dump(leak.Findings))
	}
	// An echo found is proof of speakers, monitor or not.
	a = newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 7)
	a.noMonitor = true
	a.echoGain = 0.5
	if _, got = runFake(t, a, devPlainOut, devUSBIn); got[config.CheckLeak].Verdict != Fail || got[config.CheckHeadset].Verdict != Fail {
		t.Errorf("open speakers without a monitor: %s", dump(got))
	}
}

// mutedOutput plays nothing: its sink drops every frame (the monitor hears silence).
type mutedOutput struct{ *fakeAudio }

func (m *mutedOutput) OpenPlayback(string) (Sink, error) { return mutedSink{m.fakeAudio}, nil }

type mutedSink struct{ f *fakeAudio }

func (s mutedSink) Write(frame []int16) error {
	return fakeSink{s.f}.Write(make([]int16, len(frame)))
}
func (s mutedSink) Close() error { return nil }

// The leak test proves that the output is not open speakers; it says nothing
// about the microphone (issue 11: a recognised headset output with an
// unrecognised input passed as a headset).
func TestLeakPassDoesNotProveTheMicrophone(t *testing.T) {
	a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 7)
	_, got := runFake(t, a, devUSBOut, devPlainIn)
	hs := got[config.CheckHeadset]
	if got[config.CheckLeak].Verdict != Pass {
		t.Fatalf("leak %s: %s", got[config.CheckLeak].Verdict, dump(got[config.CheckLeak].Findings))
	}
	if hs.Verdict == Pass || hasCode(hs, "acoustic_headset") {
		t.Fatalf("an unrecognised microphone passed as a headset microphone: %s %s", hs.Verdict, dump(hs.Findings))
	}
	// The output side is settled by the same test: an unknown output with a
	// recognised headset microphone passes.
	a = newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 8)
	_, got = runFake(t, a, devPlainOut, devUSBIn)
	if hs := got[config.CheckHeadset]; hs.Verdict != Pass || !hasCode(hs, "acoustic_headset") {
		t.Fatalf("unknown output, headset mic, no leak: %s %s", hs.Verdict, dump(hs.Findings))
	}
	// And open speakers still fail it.
	a = newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 9)
	a.echoGain = float32(math.Pow(10, -6.0/20))
	_, got = runFake(t, a, devPlainOut, devUSBIn)
	if hs := got[config.CheckHeadset]; hs.Verdict != Fail || !hasCode(hs, "acoustic_speakers") {
		t.Fatalf("unknown output leaking at -6 dB: %s %s", hs.Verdict, dump(hs.Findings))
	}
}

var _ = analysis.SampleRate

// An echo canceller or noise suppressor on the microphone removes the probe's
// echo: its clean output proves nothing about the output, and the processed
// devices themselves are never settled.
func TestProcessedMicrophoneProvesNothing(t *testing.T) {
	ecIn := devinfo.FromPulseProps("plain_in.echo-cancel", devinfo.Input, map[string]string{"device.class": "filter",
		"device.description": "PlainMic (echo cancelled with Plain)"}, nil, "")
	ecOut := devinfo.FromPulseProps("plain_out.echo-cancel", devinfo.Output, map[string]string{"device.class": "filter",
		"device.description": "Plain (echo cancelled with PlainMic)"}, nil, "")
	a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 12) // what an echo canceller leaves: no echo at all
	_, got := runFake(t, a, devPlainOut, ecIn)
	if leak := got[config.CheckLeak]; leak.Verdict != Error || leak.Findings[0].Key != "check.msg.leak_unverified_processing" {
		t.Errorf("leak through a canceller: %s %s", leak.Verdict, dump(leak.Findings))
	}
	if hs := got[config.CheckHeadset]; hs.Verdict == Pass || hasCode(hs, "acoustic_headset") {
		t.Errorf("headset: %s %s", hs.Verdict, dump(hs.Findings))
	}
	a = newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
	a.mic = noiseAt(-75, 13)
	_, got = runFake(t, a, ecOut, devUSBIn)
	if hs := got[config.CheckHeadset]; hs.Verdict == Pass || hasCode(hs, "acoustic_headset") {
		t.Errorf("processed output settled: %s %s", hs.Verdict, dump(hs.Findings))
	}
}
