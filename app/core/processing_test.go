package core

import (
	"fmt"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// Every call's audio goes through the processing that policy and the
// agent's settings choose; "auto" drops the echo canceller once the check
// proved a headset on the devices in use.
func TestCallAudioIsProcessedAsPolicyAndSettingsSay(t *testing.T) {
	locked, err := config.ParsePolicy("policy.json", []byte(`{"audio":{"agc":"off"}}`))
	if err != nil {
		t.Fatal(err)
	}
	proved := &precheck.Report{Input: "usb_mic", Output: "usb_out", Checks: []precheck.CheckResult{
		{Name: config.CheckHeadset, Verdict: precheck.Pass}, {Name: config.CheckLeak, Verdict: precheck.Pass}}}
	for _, tc := range []struct {
		name          string
		agent         config.Audio
		pol           *config.Policy
		report        *precheck.Report
		input, output string
		want          string
	}{
		{name: "defaults", want: "DSP(ns+agc+aec, "},
		{name: "headset proved", report: proved, input: "usb_mic", output: "usb_out", want: "DSP(ns+agc, "},
		{name: "proved on other devices", report: proved, input: "laptop_mic", want: "DSP(ns+agc+aec, "},
		{name: "agent turns noise suppression off", agent: config.Audio{NoiseSuppression: "off"}, want: "DSP(agc+aec, "},
		{name: "IT locks agc off", agent: config.Audio{AGC: "on"}, pol: &locked, want: "DSP(ns+aec, "},
		{name: "all off", agent: config.Audio{NoiseSuppression: "off", AGC: "off", EchoCancel: "off"}, want: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestCore(t, config.Profile{Audio: tc.agent}, tc.pol, nil)
			c.checks.report = tc.report
			closed := false
			audio, closeAudio := c.withProcessing(sip.Audio{Source: namedSource("Mic"), Sink: discardSink{}}, func() error { closed = true; return nil }, tc.input, tc.output)
			got := fmt.Sprint(audio.Source)
			if (tc.want == "" && got != "Mic") || (tc.want != "" && !strings.HasPrefix(got, "Mic -> "+tc.want)) {
				t.Errorf("source chain %q, want Mic, then %q", got, tc.want)
			}
			frame := make([]int16, media.FrameSamples)
			if err := audio.Source.Read(frame); err != nil {
				t.Fatal(err)
			}
			if err := closeAudio(); err != nil || !closed {
				t.Fatalf("close: %v (devices closed %t)", err, closed)
			}
		})
	}
}

type namedSource string

func (namedSource) Read(frame []int16) error { clear(frame); return nil }
func (s namedSource) String() string         { return string(s) }

type discardSink struct{}

func (discardSink) Write([]int16) error { return nil }

// Settings shows the processing modes in force, read-only where IT set them,
// and stores the agent's change only where it differs from IT's default.
func TestProcessingSettingsFollowPolicy(t *testing.T) {
	pol, err := config.ParsePolicy("policy.json", []byte(`{"audio":{"noise_suppression":"on"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := newTestCore(t, config.Profile{Audio: config.Audio{NoiseSuppression: "off", AGC: "off"}}, &pol, nil)
	be := c.Backend()
	if l := be.Config.Locked(); l[ui.SettingNoiseSuppression] != "on" || l[ui.SettingAGC] != "" || l[ui.SettingEchoCancel] != "" {
		t.Fatalf("locked %v: want noise suppression only", l)
	}
	_, set, err := be.Config.Load()
	if err != nil || set.NoiseSuppression != "on" || set.AGC != "off" || set.EchoCancel != "auto" {
		t.Fatalf("settings %+v (%v): want IT's on, the agent's off, the default auto", set, err)
	}
	set.AGC, set.EchoCancel = "on", "off"
	if err := be.Config.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	prof, err := config.LoadProfile(c.opts.ProfilePath)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Audio.AGC != "" || prof.Audio.EchoCancel != "off" || prof.Audio.NoiseSuppression != "off" {
		t.Errorf("profile audio %+v: AGC back at the default is not stored, echo cancellation off is, the locked choice is kept for later", prof.Audio)
	}
}
