package core

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/messages"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media/devinfo"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
	"github.com/homeshore/homeshore/server/sse"
)

// supervisorBoard follows the supervisor's live stream and hands over the
// demo agent's states.
func supervisorBoard(t *testing.T, url string) (*backend.HTTPBackend, <-chan api.AgentLive) {
	t.Helper()
	sam := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := sam.Login(t.Context(), server.DemoSupervisor, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	body, err := sam.Stream(ctx, "/v1/live/stream", "")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan api.AgentLive, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer body.Close()
		r := sse.NewReader(body)
		for {
			e, err := r.Next()
			if err != nil {
				return
			}
			var le api.LiveEvent
			if e.Name == api.LiveAgent && json.Unmarshal([]byte(e.Data), &le) == nil && le.Agent.Username == server.DemoAgent {
				out <- *le.Agent
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return sam, out
}

func boardShows(t *testing.T, ch <-chan api.AgentLive, what string, cond func(api.AgentLive) bool) api.AgentLive {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case a := <-ch:
			if cond(a) {
				return a
			}
		case <-timeout:
			t.Fatalf("the wallboard never showed %s", what)
		}
	}
}

// TestSupervisionFromCoreEvents: the core's own events (clock-in from the
// shift machine, a call with its quality, its end) reach the supervisor's
// wallboard through live status; messages and help go through the core.
func TestSupervisionFromCoreEvents(t *testing.T) {
	url := servertest.StartDemo(t)
	sam, board := supervisorBoard(t, url)
	c := newTestCore(t, config.Profile{Backend: config.Backend{URL: url, Agent: server.DemoAgent},
		SIP: config.SIPAccount{Server: "pbx.example.com:5060", User: "1001"}}, nil, func(o *Options) {
		o.ListDevices, o.WatchDevices, o.RunChecks, o.NoDeviceGuard = usbHeadsetList, noWatch, passingReport, true
	})
	login := backend.NewHTTPBackend(url, keyringTokens{store: c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	be := c.Backend()
	go func() { // the GUI's reader
		for range be.Events.Events() {
		}
	}()
	rep, err := be.Checker.Run(ctxFor(t, 5*time.Second), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), rep, ""); err != nil {
		t.Fatal(err)
	}
	boardShows(t, board, "alice available and connected", func(a api.AgentLive) bool { return a.State == api.StateAvailable && a.Connected })
	c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegRegistered, Server: "pbx.example.com:5060"}})
	call := ui.CallInfo{ID: "core-call-1@pbx", Direction: ui.Inbound, Remote: "+33612345678", Started: time.Now()}
	c.events.emit(ui.IncomingCall{Call: call})
	call.Answered = time.Now()
	c.events.emit(ui.CallEstablished{Call: call})
	if err := c.machine.CallStarted("call-1"); err != nil {
		t.Fatal(err)
	}
	c.events.emit(ui.QualityUpdated{CallID: call.ID, Quality: ui.Quality{Codec: "opus", MOS: 4.2, LossPercent: 0.3, JitterMs: 7}})
	a := boardShows(t, board, "the call with its quality", func(a api.AgentLive) bool {
		return a.State == api.StateOnCall && a.Call != nil && a.Call.Quality != nil && a.Call.Quality.MOS == 4.2
	})
	if a.Call.Number != "+33612345678" || a.Call.AnsweredAt == nil || a.SIPURI != "sip:1001@pbx.example.com" {
		t.Fatalf("on the wallboard: %+v %+v", a, a.Call)
	}
	c.events.emit(ui.CallClosed{CallID: call.ID, By: "remote"})
	if err := c.machine.CallEnded("call-1"); err != nil {
		t.Fatal(err)
	}
	boardShows(t, board, "wrap-up without the call", func(a api.AgentLive) bool { return a.State == api.StateWrapUp && a.Call == nil })

	// Messages and help through the core.
	got := make(chan messages.Event, 10)
	defer c.OnMessage(func(e messages.Event) { got <- e })()
	if _, err := c.SendMessage(ctxFor(t, 5*time.Second), "", "Customer was rude; logged it"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RaiseHelp(ctxFor(t, 5*time.Second), "need a hand"); err != nil {
		t.Fatal(err)
	}
	in := api.NewMessage{ID: "core-sam-1", To: server.DemoAgent, Body: "Noted, thanks", SentAt: time.Now()}
	if err := sam.Do(t.Context(), "POST", "/v1/messages", "k-core-sam-1", in, nil); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(30 * time.Second)
	delivered, received := 0, false
	for delivered < 2 || !received {
		select {
		case e := <-got:
			switch e := e.(type) {
			case messages.Delivered:
				delivered++
			case messages.Received:
				received = e.Message.ID == "core-sam-1"
			}
		case <-timeout:
			t.Fatalf("delivered %d, received %v", delivered, received)
		}
	}
	var page api.MessagePage
	if err := sam.Do(t.Context(), "GET", "/v1/messages", "", nil, &page); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range page.Messages {
		kinds[m.Kind+" from "+m.From]++
	}
	if len(page.Messages) != 3 || kinds["help from alice"] != 1 || kinds["message from alice"] != 1 {
		t.Fatalf("the supervisor sees %+v", page.Messages)
	}
}

func usbHeadsetList(context.Context) ([]devinfo.Device, error) { return usbHeadset, nil }
