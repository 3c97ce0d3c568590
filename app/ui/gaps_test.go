package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// The Account screen's Cancel goes back to where the agent came from and
// drops the edits: nothing saved, the typed password not kept in the form.
func TestAccountCancelDropsEdits(t *testing.T) {
	f := newFake().configured()
	c := newTestController(t, f, "en")
	saved := f.account
	c.showFirstRun()
	v := c.first
	if v.cancel.Disabled() {
		t.Fatal("Cancel is disabled on an account that is set up")
	}
	test.Type(v.server, ".typo")
	test.Type(v.password, "half-typed")
	test.Tap(v.cancel)
	if c.frame.current != screenCheck {
		t.Fatalf("screen after Cancel = %q, want the check it was opened from", c.frame.current)
	}
	if f.account != saved {
		t.Fatalf("Cancel saved the account: %+v, was %+v", f.account, saved)
	}
	c.showFirstRun()
	if v.server.Text != saved.Server || v.password.Text != "" {
		t.Fatalf("reopened form: server %q (saved %q), password kept %q", v.server.Text, saved.Server, v.password.Text)
	}
	// Before any account exists there is nothing to go back to.
	c2 := newTestController(t, newFake(), "en")
	if !c2.first.cancel.Disabled() {
		t.Fatal("Cancel on the very first setup leads nowhere and must be disabled")
	}
}

// On hold, the header says the caller waits (not plain "On call"), in the
// warning colour; resumed, it is "On call" again.
func TestHeaderSaysCallerOnHold(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	establishedCall(c, f)
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateOnCall, Since: c.now()}})
	onCall := c.home.state.label.Text
	test.Tap(c.home.call.hold)
	if got, want := c.home.state.label.Text, c.tr.T("state.onhold"); got != want || got == onCall {
		t.Fatalf("header on hold = %q, want %q", got, want)
	}
	if c.home.state.dot.FillColor != colorWarn {
		t.Fatal("on hold the header's dot is the warning colour")
	}
	test.Tap(c.home.call.hold)
	if got := c.home.state.label.Text; got != onCall {
		t.Fatalf("header after Resume = %q, want %q", got, onCall)
	}
}

// A wrap-up saved without a ticket is confirmed too ("Last call saved.").
func TestWrapUpWithoutTicketIsConfirmed(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	answeredCall(c, f, time.Minute)
	w := c.wrap
	w.ticket.SetSelected(c.tr.T("wrap.ticket.none"))
	w.disposition.SetSelected(c.tr.T("disposition.resolved"))
	test.Tap(w.save)
	if len(f.logs) != 1 || f.logs[0].TicketID != "" || f.logs[0].CreateTicket {
		t.Fatalf("logs = %+v, want one call logged without a ticket", f.logs)
	}
	if got := c.home.recentBox.Subtitle; got != "Last call saved." {
		t.Fatalf("confirmation = %q", got)
	}
}
