package ui

import (
	"testing"
)

// shift.missed_call_not_ready: the core moves the agent to Not ready
// (missed_call) after a missed call; the window says so in the agent's
// language, with the way back, and the notice goes once they are
// Available again.
func TestMissedCallNotReadyIsExplained(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			f := newFake().configured()
			c := onShift(t, f, lang)
			incoming(c)
			c.handle(CallClosed{CallID: "in-1", By: "remote"})
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: ReasonMissedCall, Since: f.clock()}})
			want := c.tr.T("state.notready.reason", c.tr.T("reason.missed_call"))
			if got := c.home.state.label.Text; got != want || c.tr.T("reason.missed_call") == "reason.missed_call" {
				t.Fatalf("state label = %q, want %q", got, want)
			}
			if c.notice != c.tr.T("notice.missed_call") || !c.frame.notice.root.Visible() {
				t.Fatalf("notice = %q (shown %v), want the missed call's", c.notice, c.frame.notice.root.Visible())
			}
			if lang == "fr" && (c.tr.T("reason.missed_call") != "Appel manqué" || c.notice == "") {
				t.Fatalf("French: %q / %q", c.tr.T("reason.missed_call"), c.notice)
			}
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateAvailable, Since: f.clock()}})
			if c.notice != "" || c.frame.notice.root.Visible() {
				t.Fatalf("notice still %q once Available", c.notice)
			}
		})
	}
}
