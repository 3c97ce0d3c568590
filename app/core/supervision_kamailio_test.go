package core

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestWallboardFollowsCoreThroughKamailio: the real core registers to
// Kamailio and takes a call from baresip; the supervisor's live stream
// shows the agent available, on the call with its live quality, then in
// wrap-up, and the call logged at wrap-up counts in the indicators.
func TestWallboardFollowsCoreThroughKamailio(t *testing.T) {
	testenv.RequirePulse(t)
	url := servertest.StartDemo(t)
	sam, board := supervisorBoard(t, url)
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw"})
	prof := config.Profile{SIP: config.SIPAccount{Server: k.Addr(), User: "agent", Codecs: []string{"pcmu"}},
		Backend: config.Backend{URL: url, Agent: server.DemoAgent}}
	c := newTestCore(t, prof, nil, func(o *Options) { o.WatchDevices = noWatch })
	login := backend.NewHTTPBackend(url, keyringTokens{store: c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	be := c.Backend()
	if err := be.Secrets.Set(ui.SecretSIPPassword, "agentpw"); err != nil {
		t.Fatal(err)
	}
	events := be.Events.Events()
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	acc.Password = "agentpw"
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatalf("register: %v", err)
	}
	boardShows(t, board, "the agent available", func(a api.AgentLive) bool { return a.State == api.StateAvailable && a.Connected })

	b := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Espeak(t, "Hello, I am calling about my order."), PlayLoop: true})
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	_, ev := waitFor(t, events, 15*time.Second, func(e ui.Event) bool { _, ok := e.(ui.IncomingCall); return ok })
	in := ev.(ui.IncomingCall).Call
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatalf("answer: %v", err)
	}
	b.Expect(t, testenv.EventCallEstablished)
	a := boardShows(t, board, "the call with live quality", func(a api.AgentLive) bool {
		return a.State == api.StateOnCall && a.Call != nil && a.Call.Quality != nil && a.Call.Quality.MOS > 0
	})
	if a.Call.ID != in.ID || a.Call.Number != "cust" || a.Call.Direction != api.Inbound || a.Call.AnsweredAt == nil ||
		a.Call.Quality.Codec == "" || a.SIPURI == "" {
		t.Fatalf("on the wallboard: %+v, call %+v", a, a.Call)
	}
	if err := b.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	boardShows(t, board, "wrap-up", func(a api.AgentLive) bool { return a.State == api.StateWrapUp && a.Call == nil })
	if _, err := be.Tickets.LogCall(ctxFor(t, 5*time.Second), ui.CallLog{CallID: in.ID, Remote: "+14155550134", Direction: ui.Inbound,
		Start: in.Started, Answered: in.Started, End: in.Started.Add(2 * time.Second), Disposition: "resolved"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncTickets(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	var rep api.IndicatorsReport
	if err := sam.Do(t.Context(), "GET", "/v1/indicators?day="+in.Started.UTC().Format(time.DateOnly), "", nil, &rep); err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Agents {
		if r.Username == server.DemoAgent && (r.CallsHandled != 1 || r.AvgMOS <= 0) {
			t.Fatalf("indicators: %+v", r)
		}
	}
}
