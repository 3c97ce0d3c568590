package core

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
)

// usbHeadsetProps make a Pulse device a wired USB headset.
var usbHeadsetProps = map[string]string{"device.bus": "usb", "device.form_factor": "headset"}

// sentence is what the simulated agent reads.
const sentence = "Hello, thank you for calling. I will look at your account and help you right away."

// checkPolicy: every audio check mandatory; the network (no server in
// these tests) only informs.
func checkPolicy() *config.Policy {
	p := config.DefaultPolicy()
	p.Checks.Mandatory = []string{config.CheckHeadset, config.CheckLeak, config.CheckMicrophone, config.CheckSpeaker, config.CheckRoom}
	return &p
}

// playInto plays wav into a Pulse sink until the test ends (or the file
// does); loop repeats it.
func playInto(t *testing.T, sink, wav string) {
	t.Helper()
	cmd := exec.Command(testenv.RequireBinary(t, "paplay"), "--device="+sink, wav)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
}

// roomNoise is a working microphone's self-noise in a quiet room (pink
// noise at -80 dBFS, a minute): a microphone that hears digital silence is
// a dead one, and the check says so.
func roomNoise(t *testing.T, sink string) {
	t.Helper()
	wav := filepath.Join(t.TempDir(), "room.wav")
	sox := testenv.RequireBinary(t, "sox")
	if out, err := exec.Command(sox, "-R", "-n", "-r", "48000", "-c", "1", "-b", "16", wav, "synth", "60", "pinknoise", "vol", "-80dB").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	playInto(t, sink, wav)
}

// agentAtScreen answers the check as an agent would: reads the sentence
// into the microphone when asked, answers the speaker question with heard
// (after one Play again), and keeps what the screen would have shown.
type agentAtScreen struct {
	t      *testing.T
	micFor string // the sink the microphone hears: the agent's mouth
	heard  bool

	mu        sync.Mutex
	asked     []string
	maxLevel  float64
	readLeft  []time.Duration
	quietLeft bool
	voices    []ui.VoiceHint
	replayErr error
}

func (a *agentAtScreen) Progress(p ui.CheckProgress) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.maxLevel = max(a.maxLevel, p.MicLevel)
	if p.Reading {
		a.readLeft = append(a.readLeft, p.ReadLeft)
		if p.Voice != ui.VoiceUnknown {
			a.voices = append(a.voices, p.Voice)
		}
	}
	a.quietLeft = a.quietLeft || p.QuietLeft > 0
}

func (a *agentAtScreen) ReadAloud(context.Context, float64) error {
	a.mu.Lock()
	a.asked = append(a.asked, "read")
	a.mu.Unlock()
	playInto(a.t, a.micFor, testenv.Espeak(a.t, sentence))
	return nil
}

func (a *agentAtScreen) HeardSound(ctx context.Context, replay func(context.Context) error) (bool, error) {
	err := replay(ctx)
	a.mu.Lock()
	a.asked = append(a.asked, "heard")
	a.replayErr = err
	a.mu.Unlock()
	return a.heard, nil
}

// noMonitorAudio is the devices without a way to listen to an output (as
// PortAudio and Wine's WASAPI are).
type noMonitorAudio struct{ precheck.DeviceAudio }

func (noMonitorAudio) MonitorOf(string) (precheck.Source, error) { return nil, precheck.ErrNoMonitor }

func findings(rep precheck.Report, check string) (precheck.Verdict, []string) {
	for _, c := range rep.Checks {
		if c.Name == check {
			var codes []string
			for _, f := range c.Findings {
				codes = append(codes, f.Code)
			}
			return c.Verdict, codes
		}
	}
	return "", nil
}

// checkCore is a core whose check runs for real on h (a recognised USB
// headset earpiece, an unrecognised microphone).
func checkCore(t *testing.T, h testenv.Headset, audio precheck.Audio) *Core {
	t.Helper()
	return newTestCore(t, config.Profile{Audio: config.Audio{Output: h.Speaker, Input: h.Mic}}, checkPolicy(), func(o *Options) {
		o.Pins, o.CheckAudio, o.CheckRoomSeconds = precheck.NoPins{}, audio, 1
	})
}

// TestGUICheckSettlesUnknownMicrophone: the GUI ran the check without the
// agent, so the read-a-sentence step never ran and an unrecognised
// microphone stayed "unproven" (warn) for ever. On real PulseAudio devices
// (a USB headset earpiece, a microphone with no properties) the check with
// the agent at the screen asks them to read, shows the live level and the
// countdowns, and the sentence read close to the microphone settles it as a
// headset microphone; without the agent it stays unproven. Pulse can
// listen to the output, so the agent is not asked about the test sound.
func TestGUICheckSettlesUnknownMicrophone(t *testing.T) {
	h := testenv.PulseHeadsetMixed(t, "agentcheck", usbHeadsetProps, map[string]string{"device.description": "Plain input"})
	roomNoise(t, h.MicFeed)
	c := checkCore(t, h, nil)

	// Headless: nobody reads; the microphone stays unproven.
	if _, err := c.checks.Run(ctxFor(t, 90*time.Second), nil); err != nil {
		t.Fatal(err)
	}
	rep, _ := c.checks.last()
	if v, codes := findings(rep, config.CheckHeadset); v != precheck.Warn || !slices.Contains(codes, "mic_unverified") {
		t.Fatalf("headless: headset %s %v, want warn mic_unverified (the unknown microphone unproven)", v, codes)
	}

	agent := &agentAtScreen{t: t, micFor: h.MicFeed}
	got, err := c.checks.Run(ctxFor(t, 90*time.Second), agent)
	if err != nil {
		t.Fatal(err)
	}
	rep, _ = c.checks.last()
	if v, codes := findings(rep, config.CheckHeadset); v != precheck.Pass || !slices.Contains(codes, "acoustic_headset_mic") {
		t.Fatalf("with the agent: headset %s %v, want pass acoustic_headset_mic", v, codes)
	}
	if v, codes := findings(rep, config.CheckMicrophone); v != precheck.Pass {
		t.Fatalf("microphone %s %v, want pass on the read sentence", v, codes)
	}
	if !got.CanStart {
		t.Fatalf("the shift cannot start: %+v", got.Results)
	}
	agent.mu.Lock()
	defer agent.mu.Unlock()
	if fmt.Sprint(agent.asked) != "[read]" {
		t.Fatalf("asked %v, want only the sentence (Pulse confirms the speaker itself)", agent.asked)
	}
	if len(agent.readLeft) < 10 || agent.readLeft[0] < 3*time.Second || agent.readLeft[len(agent.readLeft)-1] > time.Second {
		t.Fatalf("reading countdown %v, want 4 s counting down", agent.readLeft)
	}
	if !agent.quietLeft || agent.maxLevel < 0.4 {
		t.Fatalf("quiet-room countdown shown %v, loudest level %.2f: want both from the real captures", agent.quietLeft, agent.maxLevel)
	}
	if !slices.Contains(agent.voices, ui.VoiceGood) || slices.Contains(agent.voices, ui.VoiceSilent) {
		t.Fatalf("voice advice %v, want 'we hear you well' for a clear voice", agent.voices)
	}
}

// TestGUICheckAsksWhetherTheSoundWasHeard: where the backend cannot listen
// to its output (PortAudio, Wine), the speaker is confirmed by the agent:
// Play again replays the test sound on the checked earpiece, "yes" passes
// the speaker, "no" fails it and leaves the leak test unverified.
func TestGUICheckAsksWhetherTheSoundWasHeard(t *testing.T) {
	h := testenv.PulseHeadset(t, "heardcheck", usbHeadsetProps)
	roomNoise(t, h.MicFeed)
	c := checkCore(t, h, noMonitorAudio{})
	for _, heard := range []bool{true, false} {
		agent := &agentAtScreen{t: t, micFor: h.MicFeed, heard: heard}
		if _, err := c.checks.Run(ctxFor(t, 90*time.Second), agent); err != nil {
			t.Fatal(err)
		}
		rep, _ := c.checks.last()
		agent.mu.Lock()
		asked, replayErr := agent.asked, agent.replayErr
		agent.mu.Unlock()
		if !slices.Contains(asked, "heard") || replayErr != nil {
			t.Fatalf("heard=%v: asked %v, replay %v: want the question and a working Play again", heard, asked, replayErr)
		}
		speaker, sc := findings(rep, config.CheckSpeaker)
		leak, lc := findings(rep, config.CheckLeak)
		switch {
		case heard && (speaker != precheck.Pass || leak != precheck.Pass):
			t.Errorf("heard: speaker %s %v, leak %s %v; want both pass", speaker, sc, leak, lc)
		case !heard && (speaker != precheck.Fail || leak != precheck.Error):
			t.Errorf("not heard: speaker %s %v, leak %s %v; want speaker fail, leak unverified", speaker, sc, leak, lc)
		}
	}
}
