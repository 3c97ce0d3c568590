package demo

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// checker simulates the pre-shift check with a moving level meter and the
// quiet-room countdown; the demo machine always passes (network warns).
type checker struct{ d *Demo }

func (c checker) Run(ctx context.Context, progress func(ui.CheckProgress)) (ui.CheckReport, error) {
	steps := []string{"Headset", "Speaker and microphone", "Quiet room", "Network"}
	const frame = 100 * time.Millisecond
	for i, name := range steps {
		n := 8
		quiet := name == "Quiet room"
		if quiet {
			n = int(c.d.timing.QuietRoom / frame)
		}
		for k := 0; k < n; k++ {
			p := ui.CheckProgress{Step: i, Steps: len(steps), Current: name + "…",
				MicLevel: 0.15 + 0.1*math.Abs(math.Sin(float64(k)/3))}
			if quiet {
				p.MicLevel = 0.05 + 0.03*math.Abs(math.Sin(float64(k)))
				p.QuietLeft = time.Duration(n-k) * frame
			} else if i == 1 {
				p.MicLevel = 0.4 + 0.4*math.Abs(math.Sin(float64(k)/2))
			}
			progress(p)
			if !sleep(ctx, frame) {
				return ui.CheckReport{}, ctx.Err()
			}
		}
	}
	return ui.CheckReport{CanStart: true, OverrideAllowed: true, Results: []ui.CheckResult{
		{Name: "Headset", Verdict: ui.VerdictPass, Figures: "Demo USB headset (wired, USB)"},
		{Name: "Speaker and microphone", Verdict: ui.VerdictPass, Figures: "leak 48 dB, limit 35 dB; speech level −21 dBFS"},
		{Name: "Quiet room", Verdict: ui.VerdictPass, Figures: "background 31 dBA, limit 45 dBA; no voices"},
		{Name: "Network", Verdict: ui.VerdictWarn, Figures: "Wi-Fi, 24 ms to the SIP server, no loss",
			Fix: "Plug in an Ethernet cable: your employer asks for wired internet."},
	}}, nil
}

// devices are the virtual audio devices of the demo.
type devices struct{}

func (devices) Devices(context.Context) ([]ui.Device, error) {
	return []ui.Device{
		{ID: "demo-headset-mic", Name: "Demo USB headset", Kind: ui.DeviceInput, Verdict: ui.VerdictPass, Note: "wired USB headset"},
		{ID: "demo-laptop-mic", Name: "Laptop microphone", Kind: ui.DeviceInput, Verdict: ui.VerdictFail, Note: "built-in microphone: plug in your headset"},
		{ID: "demo-headset", Name: "Demo USB headset", Kind: ui.DeviceOutput, Verdict: ui.VerdictPass, Note: "wired USB headset"},
		{ID: "demo-speakers", Name: "Laptop speakers", Kind: ui.DeviceOutput, Verdict: ui.VerdictFail, Note: "speakers leak into the microphone"},
		{ID: "demo-bt", Name: "Bluetooth earbuds", Kind: ui.DeviceOutput, Verdict: ui.VerdictFail, Note: "Bluetooth is not allowed"},
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
