package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/sip"
)

// TestSIPConfigUnderPolicy: what IT's policy sets wins over the profile
// (as in the window), flags that agree with it are fine, flags that do not
// are refused with the key; what IT leaves alone, the profile and the
// flags still choose.
func TestSIPConfigUnderPolicy(t *testing.T) {
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.json")
	doc := `{"sip":{"server":"pbx.corp.example:5080","transport":"tcp","codecs":["pcma"],"srtp":"optional",
		"outbound_proxy":"sbc.corp.example:5080","expires_s":900,"keepalive_s":15}}`
	if err := os.WriteFile(pol, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "profile.json")
	if err := config.SaveProfile(prof, config.Profile{SIP: config.SIPAccount{Server: "old.example", User: "alice",
		Transport: "udp", Codecs: []string{"pcmu"}, SRTP: "off", ExpiresS: 120, KeepAliveS: 60, DisplayName: "Alice"}}); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.PolicyEnv, pol)
	t.Setenv(config.EnvSIPPassword, "pw")

	a := accountFlags{profile: prof, transport: "TCP", codecs: "pcma", displayName: "Alice M."}
	cfg, err := a.sipConfig(config.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Registrar != "pbx.corp.example:5080" || cfg.Transport != "tcp" || cfg.OutboundProxy != "sbc.corp.example:5080" ||
		cfg.SRTP != sip.SRTPOptional || cfg.Expires != 900*time.Second || cfg.KeepAlive != 15*time.Second ||
		len(cfg.Codecs) != 1 || cfg.Codecs[0].Name != "PCMA" || cfg.User != "alice" || cfg.DisplayName != "Alice M." || cfg.Password != "pw" {
		t.Fatalf("config %+v: want the policy's server side, the profile's user, the flag's display name", cfg)
	}
	for _, bad := range []accountFlags{
		{profile: prof, registrar: "other.example"},
		{profile: prof, transport: "udp"},
		{profile: prof, listen: "udp:127.0.0.1:0"},
		{profile: prof, outboundProxy: "sbc2.example"},
		{profile: prof, codecs: "pcmu,pcma"},
		{profile: prof, srtp: "off"},
	} {
		_, err := bad.sipConfig(config.NewMemorySecrets())
		if err == nil || !strings.Contains(err.Error(), "IT's policy") || !strings.Contains(err.Error(), "sip.") {
			t.Errorf("%+v: err %v, want a refusal naming the policy key", bad, err)
		}
	}

	// Nothing locked: the profile, then the flags, as before.
	if err := os.WriteFile(pol, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err = (&accountFlags{profile: prof, srtp: "mandatory"}).sipConfig(config.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Registrar != "old.example" || cfg.Transport != "udp" || cfg.SRTP != sip.SRTPMandatory || cfg.Expires != 120*time.Second ||
		cfg.KeepAlive != time.Minute || cfg.Codecs[0].Name != "PCMU" {
		t.Fatalf("config %+v: want the profile's account and the flag's SRTP", cfg)
	}

	if err := os.WriteFile(pol, []byte(`{"sip":{"expires_s":"long"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (&accountFlags{profile: prof}).sipConfig(config.NewMemorySecrets()); err == nil || !strings.Contains(err.Error(), "ask IT") {
		t.Fatalf("broken policy: %v, want it refused with what to do", err)
	}
}
