//go:build packaging

package pkgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// pactl runs pactl against the test environment's PulseAudio.
func pactl(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pactl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// loadModule loads a module and unloads it when the test ends; it returns the module id.
func loadModule(t *testing.T, args ...string) string {
	t.Helper()
	id := pactl(t, append([]string{"load-module"}, args...)...)
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", id).Run() })
	return id
}

// background runs a helper process until the test ends.
func background(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}

// wineHeadset is a USB headset on PulseAudio as Wine shows it: out is a null
// sink named like the headset's render endpoint, room a null sink for the
// air around the microphone, mic the room's monitor remapped and named like
// the headset's capture endpoint.
type wineHeadset struct {
	out, room, mic string
	outModule      string
	outDesc        string
	micDesc        string
}

func newWineHeadset(t *testing.T, render, capture recordedEndpoint) wineHeadset {
	t.Helper()
	testenv.RequirePulse(t)
	tag := strconv.Itoa(rand.IntN(1 << 30))
	h := wineHeadset{out: "wine_hs_" + tag, room: "wine_room_" + tag, mic: "wine_mic_" + tag,
		outDesc: render.Desc + " (" + render.Interface + ")", micDesc: capture.Desc + " (" + capture.Interface + ")"}
	h.outModule = loadModule(t, "module-null-sink", "sink_name="+h.out, "rate=48000", "channels=1",
		`sink_properties="device.description='`+h.outDesc+`'"`)
	loadModule(t, "module-null-sink", "sink_name="+h.room, "rate=48000", "channels=1", `sink_properties="device.description='room `+tag+`'"`)
	loadModule(t, "module-remap-source", "master="+h.room+".monitor", "source_name="+h.mic, "channels=1",
		`source_properties="device.description='`+h.micDesc+`'"`)
	// An idle null sink sleeps in 2 s blocks; hardware does not.
	for _, s := range []string{h.out, h.room} {
		background(t, "pacat", "--playback", "--device="+s, "--latency-msec=20", "--format=s16le", "--channels=1", "--rate=48000", "/dev/zero")
	}
	return h
}

// noise plays pink noise at levelDB into the room until the test ends.
func (h wineHeadset) noise(t *testing.T, levelDB float64) {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "noise.wav")
	run(t, "sox", "-R", "-n", "-r", "48000", "-c", "1", "-b", "16", wav, "synth", "60", "pinknoise", "vol", fmt.Sprintf("%.1fdB", levelDB))
	background(t, "paplay", "--device="+h.room, wav)
}

// leak routes the headset's sound into the room: open speakers.
func (h wineHeadset) leak(t *testing.T) {
	t.Helper()
	loadModule(t, "module-loopback", "source="+h.out+".monitor", "sink="+h.room, "latency_msec=150", "adjust_time=0",
		"source_dont_move=true", "sink_dont_move=true")
}

// endpoints lets Wine enumerate the PulseAudio devices (mmdevapi creates
// their MMDevices keys then), finds the headset's two endpoints by name and
// gives them the recorded USB headset property sets, keeping Wine's names.
func (h wineHeadset) endpoints(t *testing.T, w *testenv.Wine, cli string, render, capture recordedEndpoint) (out, in string) {
	t.Helper()
	// The first listing reads the registry before mmdevapi creates the
	// keys of new devices: the second one sees them.
	wineDevices(t, w, cli)
	ids := map[string]string{}
	for _, d := range wineDevices(t, w, cli) {
		ids[d.Description] = d.ID
	}
	outID, inID := ids[h.outDesc], ids[h.micDesc]
	if outID == "" || inID == "" {
		t.Fatalf("Wine shows no endpoints %q / %q: %v", h.outDesc, h.micDesc, ids)
	}
	guid := func(id string) string { return id[strings.LastIndex(id, "{"):] }
	w.ImportRegistry(t, regHeader+endpointReg(render, guid(outID))+endpointReg(capture, guid(inID)))
	return outID, inID
}

// checkReport is the part of `check --json` the tests read.
type checkReport struct {
	Verdict string `json:"verdict"`
	Checks  []struct {
		Name     string         `json:"name"`
		Verdict  string         `json:"verdict"`
		Figures  map[string]any `json:"figures"`
		Findings []struct {
			Code string `json:"code"`
		} `json:"findings"`
	} `json:"checks"`
}

func (r checkReport) verdicts() map[string]string {
	m := map[string]string{}
	for _, c := range r.Checks {
		m[c.Name] = c.Verdict
	}
	return m
}
