package demo

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"

	"github.com/homeshore/homeshore/app/ui"
)

// soundSim is the demo menu on the private sound server of
// scripts/with-sound.sh: it makes the failures the pre-shift check and the
// mid-shift guard catch, on the same virtual devices, so a newcomer sees
// the gate work. It is offered only on that private server
// (HOMESHORE_DEMO_SOUND=private): it never touches a desktop's own devices.
type soundSim struct {
	voice string // a WAV of someone talking: the "TV" of the noisy room
	// agent is the agent reading the check's sentence, close to the
	// headset's microphone.
	agent string

	mu    sync.Mutex
	noise context.CancelFunc
	done  chan struct{}
	// speaking stops the agent's reading and waits for it.
	speaking func()
}

// privateSoundEnv is set by scripts/with-sound.sh when it started its own
// sound server with the demo's virtual headset.
const privateSoundEnv = "HOMESHORE_DEMO_SOUND"

// Device names of the virtual headset (scripts/with-sound.sh).
const (
	headsetSink = "demo_headset"
	headsetMic  = "demo_headset_mic"
	roomSink    = "demo_room"
	btSink      = "demo_bt"
	btMic       = "demo_bt_mic"
)

// usbProps are the virtual headset's device properties: a wired USB headset.
const usbProps = "device.bus=usb device.form_factor=headset device.vendor.id=0b0e device.product.id=0312"

// newSoundSim returns the simulator when the demo runs on the private
// sound server with its virtual headset.
func newSoundSim(voice, agent string) (*soundSim, bool) {
	if os.Getenv(privateSoundEnv) != "private" {
		return nil, false
	}
	if _, err := exec.LookPath("pactl"); err != nil {
		return nil, false
	}
	out, err := exec.Command("pactl", "list", "short", "sinks").Output()
	if err != nil || !bytes.Contains(out, []byte(headsetSink)) {
		return nil, false
	}
	return &soundSim{voice: voice, agent: agent}, true
}

// Actions are the demo menu's entries.
func (s *soundSim) Actions() []ui.DemoAction {
	return []ui.DemoAction{
		{Label: "demo.sim.bluetooth", Run: s.bluetooth},
		{Label: "demo.sim.noise", Run: s.noisy},
		{Label: "demo.sim.unplug", Run: s.unplug},
		{Label: "demo.sim.restore", Run: s.restore},
	}
}

func pactl(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "pactl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pactl %s: %w: %s", args[0], err, strings.TrimSpace(string(out)))
	}
	return nil
}

// bluetooth pairs a Bluetooth headset and makes it the system's sound
// device, as a paired phone headset would.
func (s *soundSim) bluetooth(ctx context.Context) error {
	if !s.has(ctx, "sinks", btSink) {
		props := `device.bus=bluetooth device.form_factor=headset device.api=bluez bluetooth.protocol=headset_head_unit`
		if err := pactl(ctx, "load-module", "module-null-sink", "sink_name="+btSink, "rate=16000",
			`sink_properties="device.description=Demo-Bluetooth-earbuds `+props+`"`); err != nil {
			return err
		}
		// Its microphone hears the room, as a headset's does: only the
		// Bluetooth link is wrong, and that is what the check must say.
		if err := pactl(ctx, "load-module", "module-remap-source", "master="+roomSink+".monitor", "source_name="+btMic,
			`source_properties="device.description=Demo-Bluetooth-earbuds-microphone `+props+`"`); err != nil {
			return err
		}
	}
	if err := pactl(ctx, "set-default-sink", btSink); err != nil {
		return err
	}
	return pactl(ctx, "set-default-source", btMic)
}

// noisy plays someone talking in the room, loud enough for the check to
// hear voices.
func (s *soundSim) noisy(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noise != nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.noise, s.done = cancel, done
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cmd := exec.CommandContext(ctx, "paplay", "--device="+roomSink, "--volume=40000", s.voice)
			if err := cmd.Run(); err != nil {
				return
			}
		}
	}()
	return nil
}

// unplug pulls the USB headset out: its earpiece and microphone vanish.
func (s *soundSim) unplug(ctx context.Context) error {
	n, err := unloadMatching(ctx, "sink_name="+headsetSink, "source_name="+headsetMic)
	if err == nil && n == 0 {
		err = errors.New("the demo headset is already unplugged")
	}
	return err
}

// unloadMatching unloads the modules whose arguments hold one of args,
// one at a time (unloading a sink also removes the sources remapped from
// its monitor), and says how many were there.
func unloadMatching(ctx context.Context, args ...string) (int, error) {
	n := 0
	for range 8 {
		mods, err := modules(ctx)
		if err != nil {
			return n, err
		}
		id := ""
		for m, a := range mods {
			for _, want := range args {
				if strings.Contains(a, want) {
					id = m
				}
			}
		}
		if id == "" {
			return n, nil
		}
		n++
		if err := pactl(ctx, "unload-module", id); err != nil {
			// Gone meanwhile with its master: fine; still there: a failure.
			if after, lerr := modules(ctx); lerr != nil || after[id] != "" {
				return n, err
			}
		}
	}
	return n, errors.New("the demo's sound devices would not unload")
}

// restore plugs the wired headset back, quiets the room and removes the
// Bluetooth headset.
func (s *soundSim) restore(ctx context.Context) error {
	s.stopNoise()
	if _, err := unloadMatching(ctx, "sink_name="+btSink, "source_name="+btMic); err != nil {
		return err
	}
	if !s.has(ctx, "sinks", headsetSink) {
		if err := pactl(ctx, "load-module", "module-null-sink", "sink_name="+headsetSink, "rate=48000",
			`sink_properties="device.description=Demo-USB-headset `+usbProps+`"`); err != nil {
			return err
		}
	}
	if !s.has(ctx, "sources", headsetMic) {
		if err := pactl(ctx, "load-module", "module-remap-source", "master="+roomSink+".monitor", "source_name="+headsetMic,
			`source_properties="device.description=Demo-USB-headset-microphone `+usbProps+`"`); err != nil {
			return err
		}
	}
	if err := pactl(ctx, "set-default-sink", headsetSink); err != nil {
		return err
	}
	return pactl(ctx, "set-default-source", headsetMic)
}

// speak plays the agent reading the sentence into the room the headset's
// microphone hears, once; Close stops it.
func (s *soundSim) speak() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.speaking != nil {
		s.speaking()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.speaking = func() { cancel(); <-done }
	go func() {
		defer close(done)
		_ = exec.CommandContext(ctx, "paplay", "--device="+roomSink, s.agent).Run()
	}()
}

func (s *soundSim) stopNoise() {
	s.mu.Lock()
	stop, done := s.noise, s.done
	s.noise, s.done = nil, nil
	s.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// Close stops the room noise and the agent's reading.
func (s *soundSim) Close() error {
	s.stopNoise()
	s.mu.Lock()
	stop := s.speaking
	s.speaking = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	return nil
}

// voicedChecker is the check with the demo agent's voice: the agent at
// the screen presses Start reading, and the virtual microphone hears the
// sentence read, as a real one would hear the agent.
type voicedChecker struct {
	ui.Checker
	sim *soundSim
}

func (v voicedChecker) Run(ctx context.Context, agent ui.CheckAgent) (ui.CheckReport, error) {
	if agent != nil {
		agent = voicedAgent{CheckAgent: agent, sim: v.sim}
	}
	return v.Checker.Run(ctx, agent)
}

type voicedAgent struct {
	ui.CheckAgent
	sim *soundSim
}

func (a voicedAgent) ReadAloud(ctx context.Context, seconds float64) error {
	err := a.CheckAgent.ReadAloud(ctx, seconds)
	if err == nil {
		a.sim.speak()
	}
	return err
}

// has reports whether `pactl list short KIND` names name.
func (s *soundSim) has(ctx context.Context, kind, name string) bool {
	out, err := exec.CommandContext(ctx, "pactl", "list", "short", kind).Output()
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[1] == name {
			return true
		}
	}
	return false
}

// modules maps loaded module ids to their arguments.
func modules(ctx context.Context) (map[string]string, error) {
	out, err := exec.CommandContext(ctx, "pactl", "list", "short", "modules").Output()
	if err != nil {
		return nil, fmt.Errorf("pactl list modules: %w", err)
	}
	mods := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 3)
		if len(f) == 3 {
			mods[f[0]] = f[2]
		}
	}
	return mods, nil
}
