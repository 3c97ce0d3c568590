package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
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

// TestLineNotUpYetAtClockIn: the agent clocks in before the network (or
// the VPN) is up. The phone says it keeps trying, not that the line
// failed, and counts the time unreachable from then.
func TestLineNotUpYetAtClockIn(t *testing.T) {
	f := newFake().configured()
	f.registerErr = &ReconnectingError{Err: errors.New("no network path to the SIP server: cannot resolve \"sip.example.com\""),
		Since: f.clock().Add(-5 * time.Second)}
	c := onShift(t, f, "en")
	if c.reg.State != RegReconnecting || c.reg.Since != f.clock().Add(-5*time.Second) {
		t.Fatalf("line %+v, want reconnecting since the first try", c.reg)
	}
	if got := c.home.reg.label.Text; got != "Reconnecting… unreachable for 0:05" {
		t.Fatalf("line label %q", got)
	}
	if !strings.Contains(c.frame.alert.text.Text, "retries by itself") || !strings.Contains(c.frame.alert.text.Text, "cannot resolve") {
		t.Fatalf("alert %q: want the reason and that it retries", c.frame.alert.text.Text)
	}
}

// TestRefusedAccountSaysHowToFixIt: the server refused the password; the
// phone does not retry, so the alert says what to do (not "retries by
// itself"), and starting again after the check registers again.
func TestRefusedAccountSaysHowToFixIt(t *testing.T) {
	f := newFake().configured()
	f.registerErr = errors.New("authentication failed: registrar sip.example.com refused user \"1001\" with this password (401 Unauthorized): check the password")
	c := onShift(t, f, "fr")
	if c.reg.State != RegFailed {
		t.Fatalf("line %+v, want failed", c.reg)
	}
	alert := c.frame.alert.text.Text
	if !strings.Contains(alert, "ne réessaie pas tout seul") || !strings.Contains(alert, "check the password") {
		t.Fatalf("alert %q: want the refusal, that nothing retries and what to do", alert)
	}
	f.registerErr = nil
	c.showPrecheckRun()
	test.Tap(c.check.start)
	if n := strings.Count(strings.Join(f.calls, ","), "register"); n != 2 {
		t.Fatalf("registered %d times (calls %v), want again after the account was refused", n, f.calls)
	}
	if c.reg.State != RegRegistered {
		t.Fatalf("line %+v, want registered", c.reg)
	}
}

// TestCallCutOffByTheNetworkSaysSo: a call the network cut (the phone
// found the far end had hung up while the agent's network was down) ends
// with the reason in the alert, not as if someone hung up; a normal
// hang-up shows nothing.
func TestCallCutOffByTheNetworkSaysSo(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.handle(IncomingCall{Call: CallInfo{ID: "in-1", Remote: "+33612345678", Direction: Inbound}})
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	c.handle(CallClosed{CallID: "in-1", By: "remote", Reason: "the call was lost when the network failed: the other side ended it while your network was down"})
	alert := c.frame.alert.text.Text
	if !strings.Contains(alert, "was cut off") || !strings.Contains(alert, "+33612345678") || !strings.Contains(alert, "network was down") {
		t.Fatalf("alert %q: want the call named and why it was cut", alert)
	}
	c.handle(RegistrationChanged{Status: RegStatus{State: RegRegistered, Server: "sip.example.com"}})
	if !c.frame.alert.root.Visible() {
		t.Fatal("the line coming back hid why the call was cut")
	}

	c.setAlert("")
	c.handle(IncomingCall{Call: CallInfo{ID: "in-2", Remote: "+33612345678", Direction: Inbound}})
	c.handle(CallEstablished{Call: CallInfo{ID: "in-2", Answered: c.now()}})
	c.handle(CallClosed{CallID: "in-2", By: "remote"})
	if c.frame.alert.root.Visible() {
		t.Fatalf("a normal hang-up raised %q", c.frame.alert.text.Text)
	}
}
