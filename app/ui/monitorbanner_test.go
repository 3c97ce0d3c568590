package ui

import (
	"strings"
	"testing"
)

// TestMonitorBannerFollowsTheSession: the banner shows while a supervisor
// session runs, says who and what the customer hears in each mode, in the
// agent's language, and goes when the session ends.
func TestMonitorBannerFollowsTheSession(t *testing.T) {
	for _, tc := range []struct {
		lang, mode, want string
	}{
		{"en", MonitorListen, "Your supervisor sam is listening to this call"},
		{"en", MonitorWhisper, "only you hear them"},
		{"en", MonitorBarge, "the customer hears them too"},
		{"fr", MonitorListen, "Votre superviseur sam écoute cet appel"},
		{"fr", MonitorWhisper, "vous seul l'entendez"},
		{"fr", MonitorBarge, "le client l'entend aussi"},
	} {
		c := newTestController(t, newFake().configured(), tc.lang)
		if c.frame.monitor.root.Visible() {
			t.Fatal("the banner shows before any session")
		}
		c.handle(MonitorChanged{Session: MonitorSession{ID: "s1", Active: true, Mode: tc.mode, Supervisor: "sam"}})
		if !c.frame.monitor.root.Visible() || !strings.Contains(c.frame.monitor.text.Text, tc.want) {
			t.Errorf("%s %s: banner visible=%v %q, want it to say %q", tc.lang, tc.mode,
				c.frame.monitor.root.Visible(), c.frame.monitor.text.Text, tc.want)
		}
		c.handle(MonitorChanged{Session: MonitorSession{ID: "s1", Active: false, Mode: tc.mode, Supervisor: "sam"}})
		if c.frame.monitor.root.Visible() {
			t.Errorf("%s %s: the banner stays after the session ended", tc.lang, tc.mode)
		}
	}
}
