package precheck

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requirePulse needs a reachable PulseAudio (scripts/with-test-env.sh).
func requirePulse(t testing.TB) {
	t.Helper()
	err := exec.Command("pactl", "info").Run()
	requireOrSkip(t, err == nil, "PulseAudio (run under scripts/with-test-env.sh)")
}

func pactl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("pactl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// loadModule loads a Pulse module and unloads it when the test ends; it
// returns the module index.
func loadModule(t testing.TB, args ...string) string {
	t.Helper()
	idx := pactl(t, append([]string{"load-module"}, args...)...)
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", idx).Run() })
	return idx
}

// uniq makes device names unique per test (one PulseAudio serves all tests).
func uniq(prefix string) string { return fmt.Sprintf("%s_%06d", prefix, rand.IntN(1000000)) }

// pulsePair is a virtual headset (or speaker) and the microphone in its room:
// out is a null sink with the device's properties; room is a null sink that
// stands for the air around the microphone; in remaps room's monitor and
// carries the microphone's properties.
type pulsePair struct {
	out, room, in string
	outModule     string
}

func newPulsePair(t testing.TB, prefix, outProps, inProps string) pulsePair {
	t.Helper()
	p := pulsePair{out: uniq(prefix + "_out"), room: uniq(prefix + "_room"), in: uniq(prefix + "_mic")}
	if strings.HasPrefix(prefix, "bluez") {
		p.out, p.in = uniq("bluez_sink."+prefix), uniq("bluez_source."+prefix)
	}
	p.outModule = loadModule(t, "module-null-sink", "sink_name="+p.out, "rate=48000", "channels=1", `sink_properties="`+outProps+`"`)
	loadModule(t, "module-null-sink", "sink_name="+p.room, "rate=48000", "channels=1", `sink_properties="device.description=room"`)
	loadModule(t, "module-remap-source", "master="+p.room+".monitor", "source_name="+p.in, "channels=1", `source_properties="`+inProps+`"`)
	keepAwake(t, p.out)
	keepAwake(t, p.room)
	return p
}

// keepAwake plays digital silence on a null sink: an idle null sink sleeps
// in 2 s blocks, so a new stream would wait up to 2 s to start (real
// hardware does not). The silence changes nothing in the measurements.
func keepAwake(t testing.TB, sink string) {
	t.Helper()
	requireOrSkip(t, haveBinary("pacat"), "pacat")
	cmd := exec.Command("pacat", "--playback", "--device="+sink, "--latency-msec=20", "--format=s16le", "--channels=1", "--rate=48000", "/dev/zero")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}

// leak routes out's sound into the room at gainDB (open speakers).
func (p pulsePair) leak(t testing.TB, gainDB float64) {
	t.Helper()
	mod := loadModule(t, "module-loopback", "source="+p.out+".monitor", "sink="+p.room, "latency_msec=150", "adjust_time=0", "source_dont_move=true", "sink_dont_move=true")
	// The loopback's sink input carries the attenuation.
	var input string
	sc := bufio.NewScanner(strings.NewReader(pactl(t, "list", "sink-inputs")))
	cur := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "Sink Input #"); ok {
			cur = v
		}
		if v, ok := strings.CutPrefix(line, "Owner Module: "); ok && v == mod {
			input = cur
		}
	}
	if input == "" {
		t.Fatalf("no sink input for loopback module %s", mod)
	}
	pactl(t, "set-sink-input-volume", input, fmt.Sprintf("%.1fdB", gainDB))
}

// noise plays steady pink noise at about levelDB into the room until the test ends.
func (p pulsePair) noise(t testing.TB, levelDB float64) {
	t.Helper()
	requireOrSkip(t, haveBinary("sox") && haveBinary("paplay"), "sox and paplay")
	wav := filepath.Join(t.TempDir(), "noise.wav")
	if out, err := exec.Command("sox", "-R", "-n", "-r", "48000", "-c", "1", "-b", "16", wav, "synth", "60", "pinknoise", "vol", fmt.Sprintf("%.1fdB", levelDB)).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	cmd := exec.Command("paplay", "--device="+p.room, wav)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}
