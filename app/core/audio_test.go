package core

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/media/audiodev"
)

// TestNamedPulseDeviceCarriesAudio: a device named by its PulseAudio id (as
// the device list and the check name it) opens and carries audio; a
// missing device is an error that says so, never another device.
func TestNamedPulseDeviceCarriesAudio(t *testing.T) {
	d := testenv.PulseDevice(t, "core_headset", map[string]string{"device.bus": "usb", "device.form_factor": "headset"}, nil)
	audio, closeAudio, err := openDevices(d.Source, d.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAudio()
	tone := make([]int16, media.FrameSamples)
	for i := range tone {
		tone[i] = int16(8000 * math.Sin(2*math.Pi*440*float64(i)/48000))
	}
	got := make([]int16, media.FrameSamples)
	var peak int16
	for range 100 { // 2 s: the monitor lags the sink by its latency
		if err := audio.Sink.Write(tone); err != nil {
			t.Fatal(err)
		}
		if err := audio.Source.Read(got); err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			peak = max(peak, s)
		}
	}
	if peak < 1000 {
		t.Fatalf("the microphone heard peak %d from the headset's tone, want the tone", peak)
	}

	_, _, err = openDevices("no_such_headset_mic", d.Sink)
	if !errors.Is(err, audiodev.ErrDeviceNotFound) || !strings.Contains(err.Error(), "not connected") {
		t.Fatalf("missing microphone: %v, want a 'not connected' device error", err)
	}
}
