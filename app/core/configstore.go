package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
)

// configStore is ui.ConfigStore over the profile file, with IT policy on
// top. GUI-only preferences the profile has no field for (ringtone, theme,
// wrap-up time) live in gui.json beside it.
type configStore struct {
	path    string
	policy  *config.Policy
	secrets *secretStore

	mu sync.Mutex
}

func newConfigStore(path string, pol *config.Policy) *configStore {
	return &configStore{path: path, policy: pol}
}

// guiPrefs are the GUI-only preferences.
type guiPrefs struct {
	Ringtone      string `json:"ringtone,omitempty"`
	Theme         string `json:"theme,omitempty"`
	WrapUpSeconds int    `json:"wrap_up_seconds,omitempty"`
}

func (s *configStore) prefsPath() string { return filepath.Join(filepath.Dir(s.path), "gui.json") }

func (s *configStore) profile() (config.Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return config.LoadProfile(s.path)
}

// Load returns the account and settings with what IT locked applied.
func (s *configStore) Load() (ui.Account, ui.Settings, error) {
	p, err := s.profile()
	acc := s.applyPolicy(accountOf(p))
	set := ui.Settings{
		InputDevice: p.Audio.Input, OutputDevice: p.Audio.Output, RingDevice: p.Audio.Ring,
		Codecs: p.SIP.Codecs, Language: p.Language, SRTP: p.SIP.SRTP,
	}
	if v, ok := s.Locked()[ui.SettingSRTP]; ok {
		set.SRTP = v
	}
	modes := s.policy.ProcessingModes(p.Audio) // locked keys already applied
	set.NoiseSuppression, set.AGC, set.EchoCancel = modes.NoiseSuppression, modes.AGC, modes.EchoCancel
	if v, ok := s.Locked()[ui.SettingLanguage]; ok {
		set.Language = v
	}
	if v, ok := s.Locked()[ui.SettingCodecs]; ok {
		set.Codecs = strings.Split(v, ",")
	}
	prefs, perr := s.loadPrefs()
	set.Ringtone, set.Theme, set.WrapUpSeconds = prefs.Ringtone, prefs.Theme, prefs.WrapUpSeconds
	return acc, set, errors.Join(err, perr)
}

func accountOf(p config.Profile) ui.Account {
	return ui.Account{
		Server: p.SIP.Server, User: p.SIP.User, AuthUser: p.SIP.AuthUser, Transport: p.SIP.Transport,
		BackendURL: p.Backend.URL, AgentLogin: p.Backend.Agent,
	}
}

func (s *configStore) applyPolicy(a ui.Account) ui.Account {
	l := s.Locked()
	if v, ok := l[ui.SettingServer]; ok {
		a.Server = v
	}
	if v, ok := l[ui.SettingTransport]; ok {
		a.Transport = v
	}
	if v, ok := l[ui.SettingBackendURL]; ok {
		a.BackendURL = v
	}
	return a
}

// account is the current account with policy applied (no secrets).
func (s *configStore) account() ui.Account {
	p, err := s.profile()
	if err != nil {
		return s.applyPolicy(ui.Account{})
	}
	return s.applyPolicy(accountOf(p))
}

// sipProfile is the profile's SIP account (domain, proxy, CA: fields the GUI
// does not edit).
func (s *configStore) sipProfile() config.SIPAccount {
	p, _ := s.profile()
	return p.SIP
}

// SaveAccount stores the account without its secrets, then files a password
// typed before the account was known under the account's keyring entry.
func (s *configStore) SaveAccount(a ui.Account) error {
	err := s.update(func(p *config.Profile) {
		p.SIP.Server, p.SIP.User, p.SIP.AuthUser, p.SIP.Transport = a.Server, a.User, a.AuthUser, a.Transport
		p.Backend.URL, p.Backend.Agent = a.BackendURL, a.AgentLogin
	})
	if err != nil {
		return err
	}
	if s.secrets != nil {
		return s.secrets.accountSaved()
	}
	return nil
}

// SaveSettings stores the agent's preferences.
func (s *configStore) SaveSettings(set ui.Settings) error {
	err := s.update(func(p *config.Profile) {
		p.Audio.Input, p.Audio.Output, p.Audio.Ring = set.InputDevice, set.OutputDevice, set.RingDevice
		p.SIP.Codecs, p.Language, p.SIP.SRTP = set.Codecs, set.Language, set.SRTP
		s.saveModes(&p.Audio, set)
	})
	if err != nil {
		return err
	}
	return s.savePrefs(guiPrefs{Ringtone: set.Ringtone, Theme: set.Theme, WrapUpSeconds: set.WrapUpSeconds})
}

func (s *configStore) update(change func(*config.Profile)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := config.LoadProfile(s.path)
	if err != nil {
		return err
	}
	change(&p)
	if err := config.SaveProfile(s.path, p); err != nil {
		return fmt.Errorf("%w: check that %s is writable", err, filepath.Dir(s.path))
	}
	return nil
}

func (s *configStore) loadPrefs() (guiPrefs, error) {
	var g guiPrefs
	b, err := os.ReadFile(s.prefsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return g, nil
	}
	if err != nil {
		return g, fmt.Errorf("reading GUI preferences: %w", err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return guiPrefs{}, fmt.Errorf("GUI preferences %s are not valid JSON (%v): they were reset", s.prefsPath(), err)
	}
	return g, nil
}

func (s *configStore) savePrefs(g guiPrefs) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tmp := s.prefsPath() + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving GUI preferences: %w", err)
	}
	return os.Rename(tmp, s.prefsPath())
}

// Locked maps the policy keys IT set to the GUI's setting names.
func (s *configStore) Locked() ui.Locked {
	pol := s.policy
	out := ui.Locked{}
	if pol == nil {
		return out
	}
	if pol.Locked("sip.server") {
		out[ui.SettingServer] = pol.SIP.Server
	}
	if pol.Locked("sip.transport") {
		out[ui.SettingTransport] = pol.SIP.Transport
	}
	if pol.Locked("sip.codecs") {
		out[ui.SettingCodecs] = strings.Join(pol.SIP.Codecs, ",")
	}
	if pol.Locked("sip.srtp") {
		out[ui.SettingSRTP] = pol.SIP.SRTP
	}
	for _, m := range []struct{ setting, key, mode string }{
		{ui.SettingNoiseSuppression, config.KeyNoiseSuppression, pol.Audio.NoiseSuppression},
		{ui.SettingAGC, config.KeyAGC, pol.Audio.AGC},
		{ui.SettingEchoCancel, config.KeyEchoCancel, pol.Audio.EchoCancel},
	} {
		if pol.Locked(m.key) {
			out[m.setting] = m.mode
		}
	}
	if pol.Locked("backend.url") {
		out[ui.SettingBackendURL] = pol.Backend.URL
	}
	if pol.Locked("ui.language") {
		out[ui.SettingLanguage] = pol.UI.Language
	}
	return out
}

// saveModes stores the agent's processing modes where IT did not lock them,
// and only where they differ from IT's default, so the agent follows that
// default, also when IT changes it later.
func (s *configStore) saveModes(a *config.Audio, set ui.Settings) {
	def := config.DefaultPolicy().Audio
	if s.policy != nil {
		def = s.policy.Audio
	}
	for _, m := range []struct {
		key, mode, def string
		dst            *string
	}{
		{config.KeyNoiseSuppression, set.NoiseSuppression, def.NoiseSuppression, &a.NoiseSuppression},
		{config.KeyAGC, set.AGC, def.AGC, &a.AGC},
		{config.KeyEchoCancel, set.EchoCancel, def.EchoCancel, &a.EchoCancel},
	} {
		switch {
		case s.policy != nil && s.policy.Locked(m.key):
		case m.mode == m.def:
			*m.dst = ""
		default:
			*m.dst = m.mode
		}
	}
}
