package testenv

import (
	"strings"
	"testing"
)

func TestPulseDeviceHasPropertiesAndIsUnloaded(t *testing.T) {
	t.Parallel()
	RequirePulse(t)
	var dev NullDevice
	t.Run("load", func(t *testing.T) {
		dev = PulseDevice(t, "hs_test", map[string]string{
			"device.bus":         "usb",
			"device.form_factor": "headset",
			"device.description": "USB Headset Pro",
		}, map[string]string{"device.bus": "usb", "device.form_factor": "headset"})
		sinks, err := pactl("list", "sinks")
		if err != nil {
			t.Fatal(err)
		}
		block := section(sinks, "Name: "+dev.Sink)
		for _, want := range []string{`device.bus = "usb"`, `device.form_factor = "headset"`, `device.description = "USB Headset Pro"`} {
			if !strings.Contains(block, want) {
				t.Errorf("sink %s lacks %s:\n%s", dev.Sink, want, block)
			}
		}
		sources, err := pactl("list", "sources")
		if err != nil {
			t.Fatal(err)
		}
		block = section(sources, "Name: "+dev.Source)
		if !strings.Contains(block, `device.form_factor = "headset"`) {
			t.Errorf("source %s lacks its properties:\n%s", dev.Source, block)
		}
	})
	short, err := pactl("list", "short", "sinks")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(short, dev.Sink) {
		t.Errorf("sink %s still loaded after its test ended:\n%s", dev.Sink, short)
	}
}

// section returns the block of `pactl list` output that contains marker.
func section(out, marker string) string {
	for _, block := range strings.Split(out, "\n\n") {
		if strings.Contains(block, marker) {
			return block
		}
	}
	return ""
}
