package core

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestLogCallReachesTicketServer: the wrap-up record goes through the local
// SQLite outbox to a real ticket server, with the phone's end time and the
// call's final quality when the GUI had none; logging it twice stores it once.
func TestLogCallReachesTicketServer(t *testing.T) {
	url := servertest.StartDemo(t)
	c := newTestCore(t, config.Profile{Backend: config.Backend{URL: url, Agent: server.DemoAgent}}, nil, nil)
	be := c.Backend()
	// The refresh token lands in the keyring through the TokenStore.
	login := backend.NewHTTPBackend(url, keyringTokens{store: c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	if tok, err := be.Secrets.Get(ui.SecretBackendToken); err != nil || tok == "" {
		t.Fatalf("token in the keyring: %q, %v", tok, err)
	}
	started := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	answered := started.Add(5 * time.Second)
	ended := answered.Add(40 * time.Second)
	c.phone.mu.Lock()
	c.phone.ended["call-1"] = endRecord{stats: media.Stats{Codec: "opus", LossPercent: 0.5, JitterMs: 3, MOS: 4.3}, answered: answered, ended: ended}
	c.phone.mu.Unlock()

	log := ui.CallLog{CallID: "call-1", Remote: "+14155550134", Direction: ui.Inbound, Start: started,
		Answered: started.Add(time.Second), End: ended.Add(time.Second), Disposition: "resolved", Note: "refund sent"}
	cl, err := c.tickets.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncOnce(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("first sync: %v", err)
	}
	ds, err := be.Tickets.Dispositions(ctxFor(t, 5*time.Second))
	if err != nil || len(ds) == 0 {
		t.Fatalf("dispositions %v, %v", ds, err)
	}
	for range 2 {
		if _, err := be.Tickets.LogCall(ctxFor(t, 5*time.Second), log); err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.SyncOnce(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("sync: %v", err)
	}
	calls := servertest.AgentCalls(t, url)
	if len(calls) != 1 {
		t.Fatalf("server holds %d calls, want 1: %+v", len(calls), calls)
	}
	got := calls[0]
	if got.CallID != "call-1" || got.Disposition != "resolved" || got.Direction != "inbound" || got.Note != "refund sent" {
		t.Fatalf("call %+v", got)
	}
	if got.Quality.Codec != "opus" || got.Quality.MOS != 4.3 || got.Quality.LossPct != 0.5 {
		t.Fatalf("quality %+v, want the call's final figures", got.Quality)
	}
	if !got.EndedAt.Equal(ended) || got.AnsweredAt == nil || !got.AnsweredAt.Equal(answered) {
		t.Fatalf("times answered %v ended %v, want %v %v", got.AnsweredAt, got.EndedAt, answered, ended)
	}
}
