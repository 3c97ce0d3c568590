//go:build packaging

package pkgtest

import (
	"bufio"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// The Windows build's pre-shift check on PulseAudio null sinks through
// Wine's PulseAudio driver, on the endpoints of a recorded USB headset: the
// same device layer (WASAPI), the same judgement as on Linux. The network
// probe runs over TCP (Wine 8 refuses Go's UDP sockets, docs/packaging.md).
func TestWineCheckOnPulseDevices(t *testing.T) {
	cli := artifact(t, "windows/homeshore-cli.exe")
	requireTool(t, "sox", "paplay", "pacat")
	w := testenv.WinePrefix(t)
	k := testenv.StartKamailio(t, map[string]string{"agent": "agent-pw"})
	eps := recordedEndpoints(t)
	render, capture := eps[0], eps[1] // the Jabra EVOLVE 40
	h := newWineHeadset(t, render, capture)
	h.noise(t, -75) // the microphone's own noise in a quiet room
	out, in := h.endpoints(t, w, cli, render, capture)
	check := func(t *testing.T) checkReport {
		t.Helper()
		stdout, stderr, code := w.Run(t, cli, "check", "--json", "--output", out, "--input", in, "--room-seconds", "1",
			"--server", k.Host+":"+strconv.Itoa(k.Port), "--transport", "tcp")
		var r checkReport
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("check --json (exit %d) is not a report: %v\n%s\nstderr:\n%s", code, err, stdout, stderr)
		}
		t.Logf("exit %d, verdicts %v", code, r.verdicts())
		return r
	}
	t.Run("headset", func(t *testing.T) {
		r := check(t)
		v := r.verdicts()
		for name, want := range map[string]string{"headset": "pass", "room": "pass", "microphone": "pass", "network": "pass"} {
			if v[name] != want {
				t.Errorf("%s %s, want %s", name, v[name], want)
			}
		}
		// Wine's WASAPI has no loopback: the headless speaker test cannot
		// verify, and without it nothing proves the probe played, so no echo
		// heard is "unconfirmed" (warn), never a pass.
		if v["speaker"] != "warn" || !hasFinding(r, "speaker", "speaker_unverified") {
			t.Errorf("speaker %s, want warn speaker_unverified", v["speaker"])
		}
		if v["leak"] != "warn" || !hasFinding(r, "leak", "leak_unconfirmed") {
			t.Errorf("leak %s, want warn leak_unconfirmed", v["leak"])
		}
	})
	t.Run("open speakers", func(t *testing.T) {
		h.leak(t)
		if v := check(t).verdicts(); v["leak"] != "fail" {
			t.Errorf("leak %s with the headset's sound looped into the room, want fail", v["leak"])
		}
	})
	t.Run("noisy room", func(t *testing.T) {
		h.noise(t, -25)
		if v := check(t).verdicts(); v["room"] != "fail" {
			t.Errorf("room %s with pink noise at -25 dB, want fail", v["room"])
		}
	})
	t.Run("muted microphone", func(t *testing.T) {
		pactl(t, "set-source-mute", h.mic, "1")
		t.Cleanup(func() { pactl(t, "set-source-mute", h.mic, "0") })
		if v := check(t).verdicts(); v["microphone"] != "fail" {
			t.Errorf("microphone %s while muted, want fail", v["microphone"])
		}
	})
	t.Run("headset unplugged mid-shift", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := w.Command(ctx, cli, "check", "--json", "--watch", "--output", out, "--input", in, "--room-seconds", "1",
			"--server", k.Host+":"+strconv.Itoa(k.Port), "--transport", "tcp")
		pipe, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait()
		defer cancel()
		dec := json.NewDecoder(bufio.NewReader(pipe))
		var r checkReport
		if err := dec.Decode(&r); err != nil || r.Verdict == "fail" {
			t.Fatalf("check before the shift: %v %v", err, r.verdicts())
		}
		var ev struct{ Event, State, Code string }
		if err := dec.Decode(&ev); err != nil || ev.Event != "watching" || ev.State != "available" {
			t.Fatalf("first watch event %+v %v", ev, err)
		}
		// The headset is unplugged: PulseAudio loses the sink, and Windows'
		// endpoint builder marks the endpoint not present. Wine's
		// PulseAudio driver reads its device list once per process, so the
		// test writes that state as Windows does.
		pactl(t, "unload-module", h.outModule)
		w.ImportRegistry(t, regHeader+"["+mmdevices+`\Render\`+out[strings.LastIndex(out, "{"):]+"]\n\"DeviceState\"="+testenv.RegDword(4)+"\n")
		if err := dec.Decode(&ev); err != nil || ev.Event != "not_ready" || ev.Code != "headset_missing" {
			t.Fatalf("after unplugging: %+v %v", ev, err)
		}
		if err := cmd.Wait(); err == nil || cmd.ProcessState.ExitCode() != 1 {
			t.Fatalf("check --watch exit %v, want 1", err)
		}
	})
}

func hasFinding(r checkReport, check, code string) bool {
	for _, c := range r.Checks {
		if c.Name != check {
			continue
		}
		for _, f := range c.Findings {
			if f.Code == code {
				return true
			}
		}
	}
	return false
}
