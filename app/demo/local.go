package demo

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/assets/i18n"
)

// checker simulates the pre-shift check with a moving level meter, the
// quiet-room countdown and the read-a-sentence step (the simulated voice
// comes through well); the demo machine always passes (network warns).
type checker struct{ d *Demo }

// demoSpeechSeconds is how long the simulated check records the sentence.
const demoSpeechSeconds = 4

func (c checker) Run(ctx context.Context, agent ui.CheckAgent) (ui.CheckReport, error) {
	if agent == nil {
		agent = noAgent{}
	}
	steps := []ui.Text{
		{Key: "check.step.headset"}, {Key: "check.step.leak"},
		{Key: "check.step.room", Args: []any{c.d.timing.QuietRoom.Seconds()}}, {Key: "check.step.microphone"}, {Key: "check.step.network"},
	}
	const frame = 100 * time.Millisecond
	for i, step := range steps {
		n := 8
		quiet := step.Key == "check.step.room"
		reading := step.Key == "check.step.microphone"
		if quiet {
			n = int(c.d.timing.QuietRoom / frame)
		}
		if reading {
			agent.Progress(ui.CheckProgress{Step: i, Steps: len(steps), Current: step})
			if err := agent.ReadAloud(ctx, demoSpeechSeconds); err != nil {
				if ctx.Err() != nil {
					return ui.CheckReport{}, ctx.Err()
				}
				continue // skipped
			}
			n = int(demoSpeechSeconds * time.Second / frame)
		}
		for k := 0; k < n; k++ {
			p := ui.CheckProgress{Step: i, Steps: len(steps), Current: step,
				MicLevel: 0.15 + 0.1*math.Abs(math.Sin(float64(k)/3))}
			switch {
			case quiet:
				p.MicLevel = 0.05 + 0.03*math.Abs(math.Sin(float64(k)))
				p.QuietLeft = time.Duration(n-k) * frame
			case reading:
				p.MicLevel = 0.45 + 0.3*math.Abs(math.Sin(float64(k)/2))
				p.Reading, p.ReadLeft = true, time.Duration(n-k)*frame
				if k >= 10 {
					p.Voice = ui.VoiceGood
				}
			case i == 1:
				p.MicLevel = 0.4 + 0.4*math.Abs(math.Sin(float64(k)/2))
			}
			agent.Progress(p)
			if !sleep(ctx, frame) {
				return ui.CheckReport{}, ctx.Err()
			}
		}
		if reading {
			agent.Progress(ui.CheckProgress{Step: i, Steps: len(steps), Current: step})
		}
	}
	return ui.CheckReport{CanStart: true, OverrideAllowed: true, Results: []ui.CheckResult{
		{Check: "headset", Verdict: ui.VerdictPass, Figures: demoHeadset()},
		{Check: "leak", Verdict: ui.VerdictPass, Figures: ui.Text{Key: "check.msg.leak_low", Args: []any{48}}},
		{Check: "microphone", Verdict: ui.VerdictPass, Figures: ui.Text{Key: "check.msg.mic_ok"}},
		{Check: "room", Verdict: ui.VerdictPass, Figures: ui.Text{Key: "check.msg.room_quiet", Args: []any{-58.0}}},
		{Check: "network", Verdict: ui.VerdictWarn,
			Figures: ui.Text{Key: "check.msg.network_ok", Args: []any{24.0, 4.3, i18n.Term("check.term.link.wifi")}},
			Fix:     ui.Text{Key: "check.msg.wifi", Args: []any{"wlan0"}}},
	}}, nil
}

// noAgent runs the simulated check with nobody at the screen (tests).
type noAgent struct{}

func (noAgent) Progress(ui.CheckProgress)                {}
func (noAgent) ReadAloud(context.Context, float64) error { return ui.ErrStepSkipped }
func (noAgent) HeardSound(context.Context, func(context.Context) error) (bool, error) {
	return false, ui.ErrStepSkipped
}

// demoHeadset is the verdict text of the demo's headset.
func demoHeadset() ui.Text {
	return ui.Text{Key: "check.msg.headset", Args: []any{`"Demo USB headset"`, i18n.Term("check.term.kind.wired_usb")}}
}

// devices are the virtual audio devices of the demo.
type devices struct{}

func (devices) Devices(context.Context) ([]ui.Device, error) {
	return []ui.Device{
		{ID: "demo-headset-mic", Name: "Demo USB headset", Kind: ui.DeviceInput, Verdict: ui.VerdictPass, Note: demoHeadset()},
		{ID: "demo-laptop-mic", Name: "Laptop microphone", Kind: ui.DeviceInput, Verdict: ui.VerdictFail,
			Note: ui.Text{Key: "check.msg.built_in_mic", Args: []any{`"Laptop microphone"`}}},
		{ID: "demo-headset", Name: "Demo USB headset", Kind: ui.DeviceOutput, Verdict: ui.VerdictPass, Note: demoHeadset()},
		{ID: "demo-speakers", Name: "Laptop speakers", Kind: ui.DeviceOutput, Verdict: ui.VerdictFail,
			Note: ui.Text{Key: "check.msg.built_in_speaker", Args: []any{`"Laptop speakers"`}}},
		{ID: "demo-bt", Name: "Bluetooth earbuds", Kind: ui.DeviceOutput, Verdict: ui.VerdictFail,
			Note: ui.Text{Key: "check.msg.bluetooth", Args: []any{`"Bluetooth earbuds"`}}},
	}, nil
}

// secrets keeps the demo's password in memory: the demo never writes to the
// agent's real keyring.
type secrets struct {
	mu sync.Mutex
	m  map[string]string
}

var errNoSecret = errors.New("not in the keyring")

func newSecrets() *secrets { return &secrets{m: map[string]string{ui.SecretSIPPassword: "demo"}} }

func (s *secrets) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func (s *secrets) Get(key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	if !ok {
		return "", errNoSecret
	}
	return v, nil
}

// config is the demo's in-memory account and settings; the SIP server is
// "set by IT" to show how policy-locked fields look.
type config struct {
	mu       sync.Mutex
	account  ui.Account
	settings ui.Settings
}

const demoServer = "demo.homeshore.local"

func newConfig() *config {
	return &config{
		account: ui.Account{Server: demoServer, User: "1001", Transport: "udp",
			BackendURL: "http://127.0.0.1/demo-tickets", AgentLogin: "agent.demo"},
		settings: ui.Settings{InputDevice: "demo-headset-mic", OutputDevice: "demo-headset", RingDevice: "demo-headset",
			Codecs: []string{"opus", "pcmu"}, Ringtone: "classic", WrapUpSeconds: 60},
	}
}

func (c *config) Load() (ui.Account, ui.Settings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.account, c.settings, nil
}

func (c *config) SaveAccount(a ui.Account) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.account = a
	return nil
}

func (c *config) SaveSettings(s ui.Settings) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settings = s
	return nil
}

func (c *config) Locked() ui.Locked { return ui.Locked{ui.SettingServer: demoServer} }
