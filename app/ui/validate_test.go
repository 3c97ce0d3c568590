package ui

import (
	"testing"
	"time"
)

func TestValidateAccount(t *testing.T) {
	good := Account{Server: "sip.example.com:5060", User: "1001", Password: "x", Transport: "tls",
		BackendURL: "https://t.example.com/api", AgentLogin: "a"}
	if bad := validateAccount(good, true); len(bad) != 0 {
		t.Fatalf("good account refused: %v", bad)
	}
	for name, tc := range map[string]struct {
		mod   func(*Account)
		field string
	}{
		"port out of range": {func(a *Account) { a.Server = "sip.example.com:70000" }, fieldServer},
		"ipv6 ok":           {func(a *Account) { a.Server = "[::1]:5060" }, ""},
		"user with @":       {func(a *Account) { a.User = "1001@sip" }, fieldUser},
		"transport":         {func(a *Account) { a.Transport = "sctp" }, fieldTransport},
		"ftp backend":       {func(a *Account) { a.BackendURL = "ftp://x" }, fieldBackendURL},
		"no password":       {func(a *Account) { a.Password = "" }, fieldPassword},
	} {
		a := good
		tc.mod(&a)
		bad := validateAccount(a, true)
		if tc.field == "" && len(bad) != 0 || tc.field != "" && (len(bad) != 1 || bad[tc.field] == "") {
			t.Errorf("%s: got %v, want only %q", name, bad, tc.field)
		}
	}
	if bad := validateAccount(Account{Server: "s", User: "u", Transport: "udp", BackendURL: "http://b", AgentLogin: "a"}, false); len(bad) != 0 {
		t.Fatalf("password already in the keyring must not be required: %v", bad)
	}
}

func TestCleanNumber(t *testing.T) {
	for in, want := range map[string]string{" +1 (555) 010-9999 ": "+15550109999", "sip:bob@x": "sip:bob@x", "*21#": "*21#", "abc": ""} {
		if got := cleanNumber(in); got != want {
			t.Errorf("cleanNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDurationFormats(t *testing.T) {
	for d, want := range map[time.Duration]string{22 * time.Minute: "0:22:00", 65 * time.Second: "0:01:05", 251 * time.Minute: "4:11:00"} {
		if got := formatHours(d); got != want {
			t.Errorf("formatHours(%v) = %q, want %q", d, got, want)
		}
	}
	if got := formatClock(75 * time.Second); got != "1:15" {
		t.Errorf("formatClock = %q", got)
	}
}
