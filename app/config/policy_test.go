package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMissingPolicyFileGivesDefaults(t *testing.T) {
	p, err := LoadPolicyFile(filepath.Join(t.TempDir(), "none.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Mandatory(CheckHeadset) || p.Checks.Room.CaptureSeconds != 10 || p.Locked("checks.room") {
		t.Fatalf("defaults = %+v", p.Checks)
	}
}

func TestPolicyOverridesAndLocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.json")
	data := `{"sip":{"server":"sip.example.com","transport":"tls"},
	  "checks":{"allow_override":true,"mandatory":["headset","network"],
	    "room":{"max_l90_dbfs":-55},"headset":{"allow_kinds":["wired_usb","dect"],"deny_models":["0a12:0001"]},
	    "calibration":{"alsa_input.usb-Jabra":{"offset_db":110}}}}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(PolicyEnv, path)
	p, err := LoadPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if p.Source() != path || p.SIP.Server != "sip.example.com" || !p.Checks.AllowOverride || p.Mandatory(CheckRoom) {
		t.Fatalf("policy = %+v", p)
	}
	if p.Checks.Room.MaxL90DBFS != -55 || p.Checks.Room.WarnL90DBFS != DefaultPolicy().Checks.Room.WarnL90DBFS {
		t.Fatalf("room = %+v: file value or default lost", p.Checks.Room)
	}
	if p.Checks.Calibration["alsa_input.usb-Jabra"].OffsetDB != 110 {
		t.Fatalf("calibration = %+v", p.Checks.Calibration)
	}
	if !p.Locked("sip.server") || !p.Locked("checks.room.max_l90_dbfs") || p.Locked("checks.room.warn_l90_dbfs") || p.Locked("ui.language") {
		t.Fatalf("locked = %v", p.LockedKeys())
	}
	if got := Resolve(&p, "sip.server", p.SIP.Server, "agent.example.org"); got != "sip.example.com" {
		t.Fatalf("Resolve locked = %q", got)
	}
	if got := Resolve(&p, "ui.language", p.UI.Language, "fr"); got != "fr" {
		t.Fatalf("Resolve unlocked = %q", got)
	}
}

func TestPolicyErrorsNameTheKey(t *testing.T) {
	cases := map[string]string{
		`{"checks":{"room":{"max_l90":-50}}}`:              "checks.room.max_l90",
		`{"sipp":{}}`:                                      "sipp",
		`{"sip":{"transport":"sctp"}}`:                     "sip.transport",
		`{"sip":{"srtp":"always"}}`:                        "sip.srtp",
		`{"checks":{"mandatory":["smell"]}}`:               "checks.mandatory",
		`{"checks":{"network":{"wifi":"maybe"}}}`:          "checks.network.wifi",
		`{"checks":{"leak":{"min_loss_db":"high"}}}`:       "checks.leak.min_loss_db",
		`{"checks":{"headset":{"deny_models":["jabra"]}}}`: "checks.headset.deny_models",
		`{"checks":{"calibration":{"x":{"offset":1}}}}`:    "checks.calibration.x.offset",
		`[1]`:     "top level",
		`{"sip":`: "not valid JSON",
	}
	for data, want := range cases {
		_, err := ParsePolicy("p.json", []byte(data))
		if err == nil || !errors.Is(err, ErrPolicyInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePolicy(%s) = %v, want error naming %q", data, err, want)
		}
	}
}

func FuzzParsePolicy(f *testing.F) {
	f.Add([]byte(`{"checks":{"room":{"max_l90_dbfs":-50}}}`))
	f.Add([]byte(`{"sip":{"codecs":["opus"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePolicy("fuzz.json", data)
		if err == nil {
			_ = p.LockedKeys()
		}
	})
}

// The sample IT copies must load as shipped.
func TestPackagingSamplePolicyLoads(t *testing.T) {
	p, err := LoadPolicyFile("../../packaging/policy.sample.json")
	if err != nil {
		t.Fatalf("packaging/policy.sample.json: %v", err)
	}
	if p.SIP.Server == "" || !p.Locked("sip.server") {
		t.Fatalf("sample policy does not fix the SIP server: %+v", p.SIP)
	}
}
