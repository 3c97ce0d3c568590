package config

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/managed"
)

func TestRegistrationTiming(t *testing.T) {
	def := DefaultPolicy()
	locked, err := ParsePolicy("policy.json", []byte(`{"sip":{"expires_s":600,"keepalive_s":0}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		acct           SIPAccount
		policy         *Policy
		expires, alive time.Duration
		bad            bool
	}{
		{"defaults", SIPAccount{}, &def, 300 * time.Second, 30 * time.Second, false},
		{"the profile's", SIPAccount{ExpiresS: 120, KeepAliveS: 15}, &def, 120 * time.Second, 15 * time.Second, false},
		{"IT's beat the profile's; 0 turns the check off", SIPAccount{ExpiresS: 120, KeepAliveS: 15}, &locked, 600 * time.Second, -1, false},
		{"too short a lifetime", SIPAccount{ExpiresS: 10}, &def, 0, 0, true},
		{"too fast a keepalive", SIPAccount{KeepAliveS: 1}, &def, 0, 0, true},
	} {
		exp, alive, err := tc.acct.RegistrationTiming(tc.policy)
		if (err != nil) != tc.bad || (!tc.bad && (exp != tc.expires || alive != tc.alive)) {
			t.Errorf("%s: %s, %s, %v; want %s, %s, error %v", tc.name, exp, alive, err, tc.expires, tc.alive, tc.bad)
		}
	}
	for _, doc := range []string{`{"sip":{"expires_s":30}}`, `{"sip":{"expires_s":7200}}`, `{"sip":{"keepalive_s":3}}`, `{"sip":{"keepalive_s":"30"}}`} {
		if _, err := ParsePolicy("policy.json", []byte(doc)); err == nil {
			t.Errorf("policy %s accepted", doc)
		}
	}
}

// TestRegistrationTimingFromWindowsRegistry: the values the MSI
// (SIP_EXPIRES, SIP_KEEPALIVE) or Group Policy writes under
// HKLM\SOFTWARE\Policies\Homeshore lock the timing as the policy file
// does, over the profile's; out of range, the policy is refused.
func TestRegistrationTimingFromWindowsRegistry(t *testing.T) {
	doc, err := managed.Document(map[string]any{"SipExpires": "900", "SipKeepAlive": uint64(0)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy(`HKLM\SOFTWARE\Policies\Homeshore`, doc)
	if err != nil {
		t.Fatal(err)
	}
	exp, alive, err := SIPAccount{ExpiresS: 120, KeepAliveS: 15}.RegistrationTiming(&p)
	if err != nil || exp != 900*time.Second || alive != -1 || !p.Locked("sip.expires_s") || !p.Locked("sip.keepalive_s") {
		t.Fatalf("timing %s, %s, %v (locked %v)", exp, alive, err, p.LockedKeys())
	}
	for _, values := range []map[string]any{{"SipExpires": uint64(30)}, {"SipKeepAlive": "2"}} {
		doc, err := managed.Document(values)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParsePolicy("registry", doc); err == nil {
			t.Errorf("registry values %v accepted", values)
		}
	}
}
