package demo

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
)

// envSoundChild runs TestDemoSoundChild inside scripts/with-sound.sh.
const envSoundChild = "HOMESHORE_DEMO_SOUND_CHILD"

// TestDemoCheckTellsTheTruth: `make run` wraps the demo in
// scripts/with-sound.sh. Its virtual headset used to make the demo's own
// check warn "looks like open speakers" next to "your microphone sends
// pure silence". Now the script's private sound server has a USB headset
// whose microphone hears a quiet room, not the earpiece: the check passes,
// and the demo menu's failures (Bluetooth, a noisy room, the headset
// unplugged mid-shift) are caught by the same check and guard as a real
// agent's. The test runs the real script, which starts its own server.
func TestDemoCheckTellsTheTruth(t *testing.T) {
	if os.Getenv(envSoundChild) == "1" {
		t.Skip("the child part runs in TestDemoSoundChild")
	}
	testenv.RequireBinary(t, "pulseaudio")
	testenv.RequireBinary(t, "pactl")
	testenv.RequireBinary(t, "paplay")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "../../scripts/with-sound.sh", exe, "-test.run=^TestDemoSoundChild$", "-test.v")
	// No server answers at this address: the script starts its own.
	cmd.Env = append(os.Environ(), envSoundChild+"=1", "PULSE_SERVER=unix:/nonexistent/homeshore")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDemoSoundChild") {
		t.Fatalf("the demo on its virtual headset: %v\n%s", err, out)
	}
}

// TestDemoSoundChild is the demo's side, on the script's sound server.
func TestDemoSoundChild(t *testing.T) {
	if os.Getenv(envSoundChild) != "1" {
		t.Skip("runs inside scripts/with-sound.sh (TestDemoCheckTellsTheTruth)")
	}
	l, err := StartLive(Timing{FirstCall: time.Hour, CallEvery: time.Hour, RingFor: time.Second,
		AnswerAfter: time.Second, TalkFor: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	if len(l.DemoActions()) != 4 {
		t.Fatalf("demo menu = %d entries, want the simulated failures on the private sound server", len(l.DemoActions()))
	}
	be := l.Backend()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	check := func(what string, want ui.Verdict, names ...string) ui.CheckReport {
		t.Helper()
		rep, err := be.Checker.Run(ctx, nil)
		if err != nil {
			t.Fatalf("%s: the check could not run: %v", what, err)
		}
		for _, r := range rep.Results {
			for _, n := range names {
				if r.Check == n && r.Verdict != want {
					t.Errorf("%s: %s = %v (%s %s), want %v", what, n, r.Verdict, r.Figures.Plain, r.Fix.Plain, want)
				}
			}
		}
		return rep
	}
	act := func(label string) {
		t.Helper()
		for _, a := range l.DemoActions() {
			if a.Label == label {
				if err := a.Run(ctx); err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				return
			}
		}
		t.Fatalf("no demo action %s", label)
	}

	rep := check("virtual headset", ui.VerdictPass, "headset", "leak", "microphone", "speaker", "room")
	if !rep.CanStart {
		t.Fatalf("the demo's own check blocks the shift: %+v", rep.Results)
	}
	// The agent at the screen reads the sentence: the virtual microphone
	// hears the demo agent read it, and the voice passes.
	reader := &demoReader{}
	rep, err = be.Checker.Run(ctx, reader)
	if err != nil || !rep.CanStart {
		t.Fatalf("check with the agent reading: %+v %v", rep.Results, err)
	}
	for _, r := range rep.Results {
		if r.Check == "microphone" && r.Verdict != ui.VerdictPass {
			t.Errorf("microphone with the demo voice: %v %s %s", r.Verdict, r.Figures.Plain, r.Fix.Plain)
		}
	}
	if !reader.heardWell() {
		t.Error("the live advice never said the voice comes through well: the demo's microphone did not hear the demo agent read")
	}
	act("demo.sim.bluetooth")
	if rep := check("Bluetooth headset", ui.VerdictFail, "headset"); rep.CanStart {
		t.Fatal("a Bluetooth headset must block the shift")
	}
	// Only the link is wrong: the Bluetooth headset's microphone and room pass.
	check("Bluetooth headset", ui.VerdictPass, "leak", "microphone", "room")
	act("demo.sim.restore")
	act("demo.sim.noise")
	if rep := check("noisy room", ui.VerdictFail, "room"); rep.CanStart {
		t.Fatal("a noisy room must block the shift")
	}
	act("demo.sim.restore")
	rep = check("restored", ui.VerdictPass, "headset", "room")
	if err := be.Shift.ClockIn(ctx, rep, ""); err != nil {
		t.Fatal(err)
	}
	act("demo.sim.unplug")
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-be.Events.Events():
			if lost, ok := ev.(ui.DeviceLost); ok {
				if st, r := l.Core().Machine().State(); st.String() != "not_ready" || !r.Code.NeedsRecheck() {
					t.Fatalf("after the unplug: %v %v", st, r)
				}
				t.Logf("unplugged mid-shift: %s", lost.Message.Plain)
				return
			}
		case <-deadline:
			t.Fatal("unplugging the headset mid-shift did not make the agent Not ready")
		}
	}
}

// demoReader is the agent at the check screen: starts reading at once.
type demoReader struct {
	mu   sync.Mutex
	good bool
}

func (r *demoReader) Progress(p ui.CheckProgress) {
	r.mu.Lock()
	r.good = r.good || p.Reading && p.Voice == ui.VoiceGood
	r.mu.Unlock()
}
func (r *demoReader) ReadAloud(context.Context, float64) error { return nil }
func (r *demoReader) HeardSound(context.Context, func(context.Context) error) (bool, error) {
	return true, nil
}
func (r *demoReader) heardWell() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.good
}
