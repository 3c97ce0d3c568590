package testenv

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Headset is a simulated headset whose earpiece and microphone are apart:
// unlike NullDevice (whose microphone is its own sink's monitor), nothing
// played into Speaker reaches Mic unless Leak connects them. Tests play the
// agent's voice or room noise into MicFeed for the microphone to hear.
type Headset struct {
	Speaker   string // sink with the headset properties: the app plays here
	Mic       string // source with the headset properties: the app records here
	MicFeed   string // sink whose monitor Mic is: play what the mic should hear
	ModuleIDs []int
}

// PulseHeadset loads a Speaker sink and a Mic source that both carry props
// (e.g. "device.bus": "usb", "device.form_factor": "headset"), plus the
// MicFeed sink behind Mic, and unloads them when the test ends. Names are
// name plus a unique suffix, then "_speaker", "_mic", "_micfeed".
func PulseHeadset(t testing.TB, name string, props map[string]string) Headset {
	t.Helper()
	return PulseHeadsetMixed(t, name, props, props)
}

// PulseHeadsetMixed is PulseHeadset whose Speaker and Mic carry their own
// properties: a recognised headset output beside an unrecognised
// microphone, say.
func PulseHeadsetMixed(t testing.TB, name string, speakerProps, micProps map[string]string) Headset {
	t.Helper()
	RequirePulse(t)
	base := name + "_" + randomToken()[:6]
	h := Headset{Speaker: base + "_speaker", Mic: base + "_mic", MicFeed: base + "_micfeed"}
	t.Cleanup(func() { unloadModules(t, h.ModuleIDs) })
	h.ModuleIDs = append(h.ModuleIDs, loadModule(t, "module-null-sink", "sink_name="+h.Speaker, "rate=48000",
		"sink_properties="+proplistArg(t, withDescription(speakerProps, name))))
	h.ModuleIDs = append(h.ModuleIDs, loadModule(t, "module-null-sink", "sink_name="+h.MicFeed, "rate=48000",
		"sink_properties="+proplistArg(t, map[string]string{"device.description": name + " mic feed (test)", "device.class": "abstract"})))
	h.ModuleIDs = append(h.ModuleIDs, loadModule(t, "module-remap-source", "master="+h.MicFeed+".monitor", "source_name="+h.Mic,
		"source_properties="+proplistArg(t, withDescription(micProps, name+" microphone"))))
	return h
}

// sinkInputBlock starts a block of `pactl list sink-inputs`.
var sinkInputBlock = regexp.MustCompile(`(?m)^Sink Input #(\d+)$`)

// Leak makes what is played into the Speaker reach the Mic at gainDB (e.g.
// -6 for open speakers, -45 for a good headset), as a loopback would in a
// room. The loopback is unloaded with the headset.
func (h *Headset) Leak(t testing.TB, gainDB float64) {
	t.Helper()
	id := loadModule(t, "module-loopback", "source="+h.Speaker+".monitor", "sink="+h.MicFeed,
		"latency_msec=20", "source_dont_move=true", "sink_dont_move=true")
	h.ModuleIDs = append(h.ModuleIDs, id)
	out, err := pactl("list", "sink-inputs")
	if err != nil {
		t.Fatalf("testenv: pactl list sink-inputs: %v", err)
	}
	input := ""
	for _, block := range strings.Split(out, "\n\n") {
		m := sinkInputBlock.FindStringSubmatch(block)
		if m != nil && strings.Contains(block, "Owner Module: "+strconv.Itoa(id)+"\n") {
			input = m[1]
		}
	}
	if input == "" {
		t.Fatalf("testenv: no sink input of loopback module %d:\n%s", id, out)
	}
	// A linear amplitude factor: pactl reads a leading "-" of "-6dB" as an option.
	vol := strconv.FormatFloat(math.Pow(10, gainDB/20), 'f', 6, 64)
	if _, err := pactl("set-sink-input-volume", input, vol); err != nil {
		t.Fatalf("testenv: set leak volume %s: %v", vol, err)
	}
}

// Unplug takes the headset away mid-test, as pulling its plug would: its
// earpiece, microphone and feed vanish.
func (h Headset) Unplug(t testing.TB) {
	t.Helper()
	unloadModules(t, h.ModuleIDs)
}

// unloadModules unloads ids, last first; one already gone (a test unplugged
// it, or it went with its master) is fine.
func unloadModules(t testing.TB, ids []int) {
	for i := len(ids) - 1; i >= 0; i-- {
		if _, err := pactl("unload-module", strconv.Itoa(ids[i])); err != nil && moduleLoaded(ids[i]) {
			t.Errorf("testenv: unload PulseAudio module %d: %v", ids[i], err)
		}
	}
}

// moduleLoaded tells whether a PulseAudio module is still loaded (true
// when that cannot be read: the caller reports its own error then).
func moduleLoaded(id int) bool {
	out, err := pactl("list", "short", "modules")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == strconv.Itoa(id) {
			return true
		}
	}
	return false
}
