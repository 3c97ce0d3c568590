package core

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/messages"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestWallboardShowsLineAndWaitingCall: supervisors see the phone line as
// the core sees it (an Available agent whose line is reconnecting is shown
// so, since when, and why), and a call waiting during a call is shown
// beside the call in progress, never in its place; once answered it is the
// current call, and when it ends the held one is current again.
func TestWallboardShowsLineAndWaitingCall(t *testing.T) {
	url := servertest.StartDemo(t)
	_, board := supervisorBoard(t, url)
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
	boardShows(t, board, "available, phone line not up yet", func(a api.AgentLive) bool {
		return a.State == api.StateAvailable && a.Line != nil && a.Line.State == api.LineOff
	})
	reg := func(st ui.RegState, since time.Time, detail string) {
		c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: st, Server: "pbx.example.com:5060", Since: since, Detail: detail}})
	}
	reg(ui.RegRegistered, time.Time{}, "")
	boardShows(t, board, "the line registered", func(a api.AgentLive) bool { return a.Line != nil && a.Line.State == api.LineRegistered })
	down := time.Now().Add(-90 * time.Second).Truncate(time.Millisecond)
	reg(ui.RegReconnecting, down, "no answer from the SIP server")
	a := boardShows(t, board, "the line reconnecting", func(a api.AgentLive) bool {
		return a.Line != nil && a.Line.State == api.LineReconnecting
	})
	if a.State != api.StateAvailable || a.Line.Since == nil || !a.Line.Since.Equal(down) || a.Line.Detail != "no answer from the SIP server" {
		t.Fatalf("line outage on the wallboard: state %s line %+v, want available, reconnecting since %s with why", a.State, a.Line, down)
	}
	reg(ui.RegRegistered, time.Time{}, "")
	boardShows(t, board, "the line back", func(a api.AgentLive) bool { return a.Line != nil && a.Line.State == api.LineRegistered })

	first := ui.CallInfo{ID: "first@pbx", Direction: ui.Inbound, Remote: "+33612345678", Started: time.Now()}
	c.events.emit(ui.IncomingCall{Call: first})
	first.Answered = time.Now()
	c.events.emit(ui.CallEstablished{Call: first})
	c.events.emit(ui.QualityUpdated{CallID: first.ID, Quality: ui.Quality{Codec: "opus", MOS: 4.2}})
	second := ui.CallInfo{ID: "second@pbx", Direction: ui.Inbound, Remote: "+33698765432", Started: time.Now()}
	c.events.emit(ui.IncomingCall{Call: second})
	a = boardShows(t, board, "a waiting call", func(a api.AgentLive) bool { return a.Waiting != nil })
	if a.Call == nil || a.Call.ID != first.ID || a.Call.AnsweredAt == nil || a.Waiting.ID != second.ID || a.Waiting.Number != "+33698765432" {
		t.Fatalf("call waiting on the wallboard: call %+v waiting %+v, want the first call current and the second waiting", a.Call, a.Waiting)
	}
	second.Answered = time.Now()
	c.events.emit(ui.CallEstablished{Call: second})
	boardShows(t, board, "the second call current", func(a api.AgentLive) bool {
		return a.Call != nil && a.Call.ID == second.ID && a.Waiting == nil
	})
	c.events.emit(ui.CallClosed{CallID: second.ID, By: "remote"})
	boardShows(t, board, "the first call current again", func(a api.AgentLive) bool {
		return a.Call != nil && a.Call.ID == first.ID && a.Waiting == nil
	})
	c.events.emit(ui.CallClosed{CallID: first.ID, By: "local"})
	boardShows(t, board, "no call", func(a api.AgentLive) bool { return a.Call == nil && a.Waiting == nil })
}

// TestCancelHelpThroughCore: the GUI's Help button lowers the agent's hand
// through the core: the supervisors' wallboard no longer lists the request
// and the agent's thread marks it cancelled.
func TestCancelHelpThroughCore(t *testing.T) {
	url := servertest.StartDemo(t)
	sam, _ := supervisorBoard(t, url)
	c := newTestCore(t, config.Profile{Backend: config.Backend{URL: url, Agent: server.DemoAgent}}, nil, nil)
	login := backend.NewHTTPBackend(url, keyringTokens{store: c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	got := make(chan messages.Event, 10)
	defer c.OnMessage(func(e messages.Event) { got <- e })()
	gui := c.Backend().Messages
	if err := gui.Help(ctxFor(t, 5*time.Second), "caller wants a manager"); err != nil {
		t.Fatal(err)
	}
	waitEvent := func(what string, match func(messages.Event) bool) {
		t.Helper()
		for timeout := time.After(30 * time.Second); ; {
			select {
			case e := <-got:
				if match(e) {
					return
				}
			case <-timeout:
				t.Fatalf("no %s", what)
			}
		}
	}
	waitEvent("help delivered", func(e messages.Event) bool { _, ok := e.(messages.Delivered); return ok })
	if err := gui.CancelHelp(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitEvent("cancel delivered", func(e messages.Event) bool { _, ok := e.(messages.HelpCancelled); return ok })
	mc, err := c.Messages()
	if err != nil {
		t.Fatal(err)
	}
	var board api.LiveBoard
	if err := sam.Do(t.Context(), "GET", "/v1/live/agents", "", nil, &board); err != nil {
		t.Fatal(err)
	}
	if len(board.Help) != 0 {
		t.Fatalf("the wallboard still lists %+v", board.Help)
	}
	if _, open, _ := mc.OpenHelp(t.Context()); open {
		t.Fatal("the help request is still open in the app")
	}
	if err := gui.CancelHelp(ctxFor(t, 5*time.Second)); err == nil {
		t.Fatal("cancelling again with no help asked succeeded")
	}
}
