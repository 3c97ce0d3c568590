package config

import (
	"testing"
	"time"
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
