package precheck

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/audiodev"
)

// noMonitor is the device layer of a system that cannot listen to its
// outputs (PortAudio, Wine's WASAPI): everything else is real.
type noMonitor struct{ DeviceAudio }

func (noMonitor) MonitorOf(string) (Source, error) {
	return nil, fmt.Errorf("%w: test", ErrNoMonitor)
}

// Headless on a system without an output monitor, the leak test still
// measures and the speaker is reported unverified (warn), not failed. With
// nothing to confirm the probe played, finding no echo proves nothing: the
// leak test warns (leak_unconfirmed) and settles no unknown output.
func TestLeakWithoutMonitorLeavesSpeakerUnverified(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	p := newPulsePair(t, "nomon", headsetProps, headsetProps)
	p.noise(t, -80) // a working microphone's self-noise
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	leak, speaker, err := leakAndSpeaker(ctx, noMonitor{}, p.out, p.in, config.DefaultPolicy().Checks, true)
	if err != nil {
		t.Fatal(err)
	}
	if leak.Verdict != Warn || leak.Findings[0].Code != "leak_unconfirmed" {
		t.Errorf("leak %s, want warn leak_unconfirmed: %+v", leak.Verdict, leak.Findings)
	}
	if speaker.Verdict != Warn || len(speaker.Findings) != 1 || speaker.Findings[0].Code != "speaker_unverified" {
		t.Fatalf("speaker %s %+v, want warn speaker_unverified", speaker.Verdict, speaker.Findings)
	}
	if f, ok := speaker.Figures.(SpeakerFigures); !ok || f.Method != "none" {
		t.Fatalf("speaker figures %+v", speaker.Figures)
	}
}

// The check opens devices through media/audiodev, the layer calls use: a
// missing device is ErrDeviceMissing, the output's monitor is the Pulse
// sink's monitor.
func TestDeviceAudioIsTheCallDeviceLayer(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	p := newPulsePair(t, "devlayer", headsetProps, headsetProps)
	a := DeviceAudio{}
	mon, err := a.MonitorOf(p.out)
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	if s := fmt.Sprint(mon); s != fmt.Sprintf("Pulse(source %q 48k)", p.out+".monitor") {
		t.Fatalf("monitor is %s, want the audiodev Pulse backend on %s.monitor", s, p.out)
	}
	if _, err := a.OpenCapture("hs_no_such_source"); !errors.Is(err, ErrDeviceMissing) || !errors.Is(err, audiodev.ErrDeviceNotFound) {
		t.Fatalf("missing source: %v", err)
	}
}
