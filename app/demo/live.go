package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/homeshore/homeshore/app/backend"
	appconfig "github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/core"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/assets"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/media/audiodev"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/sip"
)

// Live is the demo on the real core: the agent's own SIP user agent, shift
// machine, pre-shift check and ticket client, against an embedded ticket
// server and simulated customers who are SIP user agents on loopback.
// Nothing leaves the machine and the OS keyring is not touched.
type Live struct {
	timing Timing
	log    *slog.Logger
	dir    string
	note   string

	srv     *server.Server
	core    *core.Core
	line    *sip.UA // where the agent's outgoing calls go; it answers them
	voice   string  // the customer's voice, a WAV file
	secrets *appconfig.MemorySecrets
	// lang is the language of the demo's customers and tickets.
	lang string
	// sim is the demo menu on the private sound server (nil elsewhere).
	sim *soundSim

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// demoPolicy makes the check quick and never blocking: the demo runs on any
// machine, and its results are still shown. Numbers are French, like the
// demo's customers.
const demoPolicy = `{"checks": {"mandatory": [], "allow_override": true,
	"room": {"capture_seconds": 3}, "microphone": {"speech_seconds": 4}, "leak": {"probe_ms": 500}},
	"shift": {"phone_region": "FR"}}`

// demoPolicyPrivate is the policy on the demo's own virtual headset
// (scripts/with-sound.sh): the audio checks gate the shift as they would
// for a real agent, so the demo menu's failures block it; the network to
// the demo line on loopback proves nothing and only informs.
const demoPolicyPrivate = `{"checks": {"mandatory": ["headset", "leak", "microphone", "speaker", "room"], "allow_override": true,
	"room": {"capture_seconds": 3}, "microphone": {"speech_seconds": 4}, "leak": {"probe_ms": 500}},
	"shift": {"phone_region": "FR"}}`

// demoSIPPassword is the password the agent's account shows; nothing checks it.
const demoSIPPassword = "demo"

// StartLive builds the live demo in English. Close it when the GUI is gone.
func StartLive(timing Timing, log *slog.Logger) (l *Live, err error) {
	return StartLiveIn(timing, log, "en")
}

// StartLiveIn builds the live demo with its customers and tickets in lang
// ("en", "fr"), the language the window shows.
func StartLiveIn(timing Timing, log *slog.Logger, lang string) (l *Live, err error) {
	if log == nil {
		log = slog.Default()
	}
	dir, err := os.MkdirTemp("", "homeshore-demo")
	if err != nil {
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	l = &Live{timing: timing, log: log, dir: dir, secrets: appconfig.NewMemorySecrets(), lang: lang}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	defer func() {
		if err != nil {
			err = errors.Join(err, l.Close())
		}
	}()
	if l.voice, err = writeAsset(dir, "sounds/customer.wav"); err != nil {
		return l, err
	}
	url, err := l.startTicketServer()
	if err != nil {
		return l, err
	}
	if l.line, err = sip.New(sip.Config{ListenAddr: "127.0.0.1:0", User: "line"}, sip.WithLogger(log)); err != nil {
		return l, fmt.Errorf("demo phone line: %w", err)
	}
	lineAddr := l.line.SIPAddr().String()
	profile := filepath.Join(dir, "profile.json")
	err = appconfig.SaveProfile(profile, appconfig.Profile{
		SIP:     appconfig.SIPAccount{Server: lineAddr, User: "agent", DisplayName: "Alice Agent"},
		Backend: appconfig.Backend{URL: url, Agent: "alice"},
	})
	if err != nil {
		return l, err
	}
	_ = l.secrets.Set(appconfig.SIPPasswordKey("agent", lineAddr), demoSIPPassword)
	login := backend.NewHTTPBackend(url, tokenStore{l.secrets}, nil)
	if err := login.Login(l.ctx, server.DemoAgent, server.DemoPassword); err != nil {
		return l, fmt.Errorf("demo ticket server login: %w", err)
	}
	policy := demoPolicy
	agentVoice, err := writeAsset(dir, "sounds/agent.wav")
	if err != nil {
		return l, err
	}
	sim, private := newSoundSim(l.voice, agentVoice)
	if private {
		l.sim, policy = sim, demoPolicyPrivate
	}
	pol, err := appconfig.ParsePolicy("demo policy", []byte(policy))
	if err != nil {
		return l, err
	}
	open, note := demoAudio()
	l.note = note
	// The mid-shift headset watch runs on the demo's own virtual headset
	// only: elsewhere the demo uses whatever devices the machine has.
	l.core, err = core.New(core.Options{ProfilePath: profile, Policy: &pol, Secrets: l.secrets,
		DataDir: filepath.Join(dir, "data"), Logger: log, OpenAudio: open,
		SIPListen: "127.0.0.1:0", Direct: true, NoDeviceGuard: !private,
		// The demo remembers no headset: the agent's own pin is theirs, and
		// the simulated Bluetooth headset must be judged, not skipped.
		Pins: precheck.NoPins{}})
	if err != nil {
		return l, err
	}
	l.spawn(l.answerLine)
	l.spawn(l.customers)
	return l, nil
}

// Backend is what the GUI drives. On the demo's own virtual headset the
// agent's voice is simulated too: when the check asks them to read the
// sentence, the headset's microphone hears it read.
func (l *Live) Backend() ui.Backend {
	be := l.core.Backend()
	if l.sim != nil {
		be.Checker = voicedChecker{Checker: be.Checker, sim: l.sim}
	}
	return be
}

// Note is said in the demo banner ("" when calls use the sound devices).
func (l *Live) Note() string { return l.note }

// DemoActions fill the demo menu: failures to simulate on the virtual
// headset (none when the demo runs on the machine's own devices).
func (l *Live) DemoActions() []ui.DemoAction {
	if l.sim == nil {
		return nil
	}
	return l.sim.Actions()
}

// Core is the demo's core (tests).
func (l *Live) Core() *core.Core { return l.core }

func (l *Live) startTicketServer() (string, error) {
	srv, err := server.New(l.ctx, server.Config{Driver: "sqlite", DSN: filepath.Join(l.dir, "tickets.db"), Logger: l.log, Region: "FR"})
	if err != nil {
		return "", fmt.Errorf("demo ticket server: %w", err)
	}
	l.srv = srv
	if err := srv.SeedDemoIn(l.ctx, l.lang); err != nil {
		return "", fmt.Errorf("demo tickets: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo ticket server: %w", err)
	}
	l.spawn(func(ctx context.Context) {
		if err := srv.Serve(ctx, ln, nil); err != nil {
			l.log.Warn("demo ticket server stopped", "err", err)
		}
	})
	return "http://" + ln.Addr().String(), nil
}

// spawn runs f until Close.
func (l *Live) spawn(f func(ctx context.Context)) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		f(l.ctx)
	}()
}

// Close stops the customers, the core, the line and the server, and
// removes the demo's files. It is idempotent.
func (l *Live) Close() error {
	var err error
	l.once.Do(func() {
		l.cancel()
		if l.core != nil {
			err = errors.Join(err, l.core.Close())
		}
		if l.line != nil {
			err = errors.Join(err, l.line.Close())
		}
		l.wg.Wait()
		if l.sim != nil {
			err = errors.Join(err, l.sim.Close())
		}
		if l.srv != nil {
			err = errors.Join(err, l.srv.Close())
		}
		err = errors.Join(err, os.RemoveAll(l.dir))
	})
	return err
}

// demoAudio opens the call's devices (those the check passed, "" the
// defaults); with no sound device the calls are silent and the banner
// says so.
func demoAudio() (core.AudioOpener, string) {
	devs, err := audiodev.ListDevices()
	in, out := false, false
	for _, d := range devs {
		in = in || d.Inputs > 0
		out = out || d.Outputs > 0
	}
	if err != nil || !in || !out {
		return func(string, string) (sip.Audio, func() error, error) {
			return sip.Audio{Source: media.Silence()}, func() error { return nil }, nil
		}, "No sound device was found: calls are silent."
	}
	return func(input, output string) (sip.Audio, func() error, error) {
		mic, err := audiodev.OpenCapture(input)
		if err != nil {
			return sip.Audio{}, nil, fmt.Errorf("the microphone %q cannot be opened: %w", input, err)
		}
		spk, err := audiodev.OpenPlayback(output)
		if err != nil {
			return sip.Audio{}, nil, errors.Join(fmt.Errorf("the headset %q cannot be opened: %w", output, err), mic.Close())
		}
		return sip.Audio{Source: mic, Sink: spk}, func() error { return errors.Join(mic.Close(), spk.Close()) }, nil
	}, ""
}

// writeAsset copies an embedded file into dir.
func writeAsset(dir, name string) (string, error) {
	data, err := fs.ReadFile(assets.Sounds, name)
	if err != nil {
		return "", fmt.Errorf("demo sound %s: %w", name, err)
	}
	path := filepath.Join(dir, filepath.Base(name))
	return path, os.WriteFile(path, data, 0o600)
}

// tokenStore keeps the ticket server's token where the core reads it.
type tokenStore struct{ s *appconfig.MemorySecrets }

func (t tokenStore) Load() (string, error) {
	v, err := t.s.Get(ui.SecretBackendToken)
	if errors.Is(err, appconfig.ErrSecretNotFound) {
		return "", nil
	}
	return v, err
}
func (t tokenStore) Save(tok string) error { return t.s.Set(ui.SecretBackendToken, tok) }
func (t tokenStore) Delete() error         { return t.s.Delete(ui.SecretBackendToken) }
