package ui

import (
	"strings"
	"testing"
	"time"
)

// TestReconnectingShowsTheTimeUnreachable: while the phone registers again
// by itself the line label says so and counts the time the agent has been
// unreachable, in both languages; the alert clears once registered.
func TestReconnectingShowsTheTimeUnreachable(t *testing.T) {
	for _, tc := range []struct{ lang, first, later string }{
		{"en", "Reconnecting… unreachable for 0:42", "Reconnecting… unreachable for 1:12"},
		{"fr", "Reconnexion… injoignable depuis 0:42", "Reconnexion… injoignable depuis 1:12"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			f := newFake().configured()
			c := onShift(t, f, tc.lang)
			c.handle(RegistrationChanged{Status: RegStatus{State: RegReconnecting, Server: "sip.example.com",
				Detail: "the SIP server no longer knows where to reach us", Since: f.clock().Add(-42 * time.Second)}})
			if got := c.home.reg.label.Text; got != tc.first {
				t.Fatalf("line label %q, want %q", got, tc.first)
			}
			if !c.frame.alert.root.Visible() || !strings.Contains(c.frame.alert.text.Text, "no longer knows") {
				t.Fatalf("alert %q", c.frame.alert.text.Text)
			}
			f.advance(30 * time.Second)
			c.tick()
			if got := c.home.reg.label.Text; got != tc.later {
				t.Fatalf("after 30 s: line label %q, want %q", got, tc.later)
			}
			c.handle(RegistrationChanged{Status: RegStatus{State: RegRegistered, Server: "sip.example.com"}})
			if c.frame.alert.root.Visible() || strings.Contains(c.home.reg.label.Text, "…") {
				t.Fatalf("registered again: label %q, alert visible %v", c.home.reg.label.Text, c.frame.alert.root.Visible())
			}
		})
	}
}
