package core

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// TestClockOutTakesThePhoneOffTheLine: at End shift the phone unregisters,
// so Kamailio no longer offers the agent's calls to it: a customer calling
// the agent gets Kamailio's 404 (no binding), not a phone that rings or
// answers busy. Start shift registers again and the agent's calls ring.
func TestClockOutTakesThePhoneOffTheLine(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw"})
	net := &network{}
	net.set("127.0.0.1")
	c, acc := lineCore(t, k, "udp", net)
	be := c.Backend()
	events := be.Events.Events()
	startShift := func() {
		t.Helper()
		if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
			t.Fatal(err)
		}
		if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
			t.Fatal(err)
		}
		waitFor(t, events, 5*time.Second, isReg(ui.RegRegistered))
	}
	cust, err := sip.New(sip.Config{Registrar: k.Addr(), User: "cust", Password: "custpw", ListenAddr: "127.0.0.1:0", KeepAlive: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cust.Close() })
	callAgent := func() *sip.Call {
		t.Helper()
		call, err := cust.Dial(ctxFor(t, 5*time.Second), "agent", sip.Audio{Source: media.Silence()})
		if err != nil {
			t.Fatal(err)
		}
		return call
	}
	ringsAndIsRefused := func() {
		t.Helper()
		call := callAgent()
		_, ev := waitFor(t, events, 10*time.Second, func(e ui.Event) bool { _, ok := e.(ui.IncomingCall); return ok })
		if err := be.Phone.Reject(ctxFor(t, 5*time.Second), ev.(ui.IncomingCall).Call.ID); err != nil {
			t.Fatal(err)
		}
		var st *sip.StatusError
		if err := call.WaitAnswered(ctxFor(t, 10*time.Second)); !errors.As(err, &st) || st.Code != rejectBusy {
			t.Fatalf("a call the agent refused ended with %v, want %d", err, rejectBusy)
		}
		waitFor(t, events, 10*time.Second, func(e ui.Event) bool { _, ok := e.(ui.CallClosed); return ok })
	}

	startShift()
	ringsAndIsRefused()

	if _, err := be.Shift.ClockOut(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	var st *sip.StatusError
	err = callAgent().WaitAnswered(ctxFor(t, 10*time.Second))
	if !errors.As(err, &st) || (st.Code != 404 && st.Code != 480) {
		t.Fatalf("calling the agent after clock-out: %v, want the registrar's 404 or 480 (no phone registered)", err)
	}
	waitFor(t, events, 5*time.Second, isReg(ui.RegNone)) // the window shows the line off

	// The next shift: registered again, calls ring.
	startShift()
	ringsAndIsRefused()
}

// TestPresencePublishedOnceTheLineComesUp: the SIP server is down when the
// agent starts the shift, so Register returns at once (the phone keeps
// trying by itself) and the agent is Available before the phone is
// registered. When the registration comes, the agent's presence is
// published: a watcher asking Kamailio's presence server sees Available.
func TestPresencePublishedOnceTheLineComesUp(t *testing.T) {
	k := testenv.StartKamailioPresence(t, map[string]string{"agent": "agentpw"})
	k.Stop(t)
	net := &network{}
	net.set("127.0.0.1")
	c, acc := lineCore(t, k, "tcp", net)
	be := c.Backend()
	events := be.Events.Events()
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	err := be.Phone.Register(ctxFor(t, 5*time.Second), acc)
	var pending *ui.ReconnectingError
	if !errors.As(err, &pending) {
		t.Fatalf("register with the server down: %v, want a *ui.ReconnectingError", err)
	}
	waitFor(t, events, 5*time.Second, isReg(ui.RegReconnecting))
	k.Start(t)
	waitFor(t, events, 20*time.Second, isReg(ui.RegRegistered))
	if err := c.phone.pres.waitHandled(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("presence not handled: %v", err)
	}
	if got := presenceSnapshot(t, k, "agent"); got != "open | available | " {
		t.Fatalf("a watcher sees the agent as %q, want open | available (published once registered)", got)
	}
}

// presenceSnapshot asks k's presence server for user's presence now:
// "BASIC | STATE | ACTIVITY" from the NOTIFY (uac_presence_snapshot.xml).
func presenceSnapshot(t *testing.T, k *testenv.Kamailio, user string) string {
	t.Helper()
	w := testenv.Sipp(t, "uac_presence_snapshot.xml", "-s", user, k.Addr())
	if err := w.WaitTimeout(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	logs, err := os.ReadFile(w.LogsFile)
	if err != nil {
		t.Fatal(err)
	}
	m := notifyLine.FindStringSubmatch(string(logs))
	if m == nil {
		t.Fatalf("no NOTIFY logged by the watcher:\n%s", logs)
	}
	return m[1] + " | " + m[2] + " | " + m[3]
}
