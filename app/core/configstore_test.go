package core

import (
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
)

// TestFirstRunPasswordFiledUnderAccount: the GUI stores the password before
// the account; it ends up under the account's keyring entry, where the
// headless commands read it, and never in the profile.
func TestFirstRunPasswordFiledUnderAccount(t *testing.T) {
	c := newTestCore(t, config.Profile{}, nil, nil)
	be := c.Backend()
	if err := be.Secrets.Set(ui.SecretSIPPassword, "s3cret"); err != nil {
		t.Fatal(err)
	}
	acc := ui.Account{Server: "sip.example.com", User: "agent7", Transport: "udp", BackendURL: "https://t.example.com", AgentLogin: "a7"}
	if err := be.Config.SaveAccount(acc); err != nil {
		t.Fatal(err)
	}
	if v, err := c.opts.Secrets.Get(config.SIPPasswordKey("agent7", "sip.example.com")); err != nil || v != "s3cret" {
		t.Fatalf("keyring entry %q, %v", v, err)
	}
	if v, err := be.Secrets.Get(ui.SecretSIPPassword); err != nil || v != "s3cret" {
		t.Fatalf("Get %q, %v", v, err)
	}
	got, _, err := be.Config.Load()
	if err != nil || got != acc {
		t.Fatalf("account %+v, %v; want %+v", got, err, acc)
	}
	set := ui.Settings{InputDevice: "mic", OutputDevice: "hs", Codecs: []string{"pcmu"}, Theme: "dark", WrapUpSeconds: 90, Language: "fr"}
	if err := be.Config.SaveSettings(set); err != nil {
		t.Fatal(err)
	}
	if _, s, err := be.Config.Load(); err != nil || s.InputDevice != "mic" || s.Theme != "dark" || s.WrapUpSeconds != 90 || s.Language != "fr" {
		t.Fatalf("settings %+v, %v", s, err)
	}
}

// TestPolicyLocksSettings: what IT sets is reported locked and wins over
// the agent's profile.
func TestPolicyLocksSettings(t *testing.T) {
	pol, err := config.ParsePolicy("test", []byte(`{"sip":{"server":"pbx.corp:5060","codecs":["pcma"]},"backend":{"url":"https://tickets.corp"},"ui":{"language":"fr"}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := newTestCore(t, config.Profile{SIP: config.SIPAccount{Server: "mine:5060", User: "u"}, Backend: config.Backend{URL: "https://mine"}}, &pol, nil)
	be := c.Backend()
	l := be.Config.Locked()
	want := ui.Locked{ui.SettingServer: "pbx.corp:5060", ui.SettingCodecs: "pcma", ui.SettingBackendURL: "https://tickets.corp", ui.SettingLanguage: "fr"}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("locked[%s] = %q, want %q", k, l[k], v)
		}
	}
	if _, ok := l[ui.SettingTransport]; ok {
		t.Errorf("transport reported locked; IT did not set it")
	}
	acc, set, err := be.Config.Load()
	if err != nil || acc.Server != "pbx.corp:5060" || acc.BackendURL != "https://tickets.corp" || set.Language != "fr" || set.Codecs[0] != "pcma" {
		t.Fatalf("loaded %+v %+v, %v", acc, set, err)
	}
	cfg, err := c.phone.sipConfig(ui.Account{Server: "other", User: "u"})
	if err != nil || cfg.Registrar != "pbx.corp:5060" || len(cfg.Codecs) != 1 || cfg.Codecs[0].Name != "PCMA" {
		t.Fatalf("sip config %+v, %v", cfg, err)
	}
}
