package core

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
)

// TestPhoneLineReconnectsAfterServerRestart: the SIP server restarts in
// the middle of a shift; the GUI hears "reconnecting" with the time the
// line went down, then "registered" again within seconds, with no action
// from the agent (here over TCP: the dropped connection tells the phone).
func TestPhoneLineReconnectsAfterServerRestart(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw"})
	prof := config.Profile{SIP: config.SIPAccount{Server: k.Addr(), User: "agent", Transport: "tcp", Codecs: []string{"pcmu"}}}
	c := newTestCore(t, prof, nil, func(o *Options) { o.WatchDevices = noWatch; o.NoDeviceGuard = true })
	be := c.Backend()
	events := be.Events.Events()
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	acc.Password = "agentpw"
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatalf("register: %v", err)
	}
	isReg := func(state ui.RegState) func(ui.Event) bool {
		return func(e ui.Event) bool {
			r, ok := e.(ui.RegistrationChanged)
			return ok && r.Status.State == state
		}
	}
	waitFor(t, events, 5*time.Second, isReg(ui.RegRegistered))

	k.Restart(t)
	restarted := time.Now()
	_, ev := waitFor(t, events, 10*time.Second, isReg(ui.RegReconnecting))
	st := ev.(ui.RegistrationChanged).Status
	if st.Since.IsZero() || st.Detail == "" || st.Server != k.Addr() {
		t.Fatalf("reconnecting status %+v: want since, reason and server", st)
	}
	waitFor(t, events, 15*time.Second, isReg(ui.RegRegistered))
	if took := time.Since(restarted); took > 10*time.Second {
		t.Fatalf("line back %s after the restart", took)
	}
}
