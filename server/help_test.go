package server_test

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TestHelpCancel: an agent lowers their hand before anyone took the
// request: the supervisors' stream says so (the console drops it), the
// wallboard's open requests no longer list it, the agent's sync sees it
// cancelled, and nobody can take it any more. A request already taken
// cannot be cancelled (the supervisor is on the way); only its agent can
// cancel it.
func TestHelpCancel(t *testing.T) {
	p := startServer(t, "sqlite")
	sam, alice, bob := login(t, p.URL, "sam"), login(t, p.URL, "alice"), login(t, p.URL, "bob")
	samStream := openStream(t, p.URL, sam.token, "")
	samStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	now := time.Now().UTC()

	must(t, alice.do("POST", "/v1/help", api.NewHelp{ID: "help-c1", Body: "Caller threatens to sue", SentAt: now}, newKey()), 201, nil)
	samStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveHelp && e.Message.ID == "help-c1" })
	must(t, sam.do("POST", "/v1/help/help-c1/cancel", nil, ""), 403, nil)
	must(t, bob.do("POST", "/v1/help/help-c1/cancel", nil, ""), 404, nil)
	must(t, alice.do("POST", "/v1/help/nope/cancel", nil, ""), 404, nil)

	var cancelled api.Message
	must(t, alice.do("POST", "/v1/help/help-c1/cancel", nil, ""), 200, &cancelled)
	if cancelled.CancelledAt == nil || cancelled.TakenBy != "" {
		t.Fatalf("cancelled: %+v", cancelled)
	}
	var again api.Message
	must(t, alice.do("POST", "/v1/help/help-c1/cancel", nil, ""), 200, &again)
	if again.CancelledAt == nil || !again.CancelledAt.Equal(*cancelled.CancelledAt) || again.Seq != cancelled.Seq {
		t.Fatalf("cancelled twice: %+v then %+v", cancelled, again)
	}
	samStream.next(func(name string, e api.LiveEvent) bool {
		return name == api.LiveHelp && e.Message.ID == "help-c1" && e.Message.CancelledAt != nil
	})
	var board api.LiveBoard
	must(t, sam.get("/v1/live/agents"), 200, &board)
	if len(board.Help) != 0 {
		t.Fatalf("the wallboard still lists %+v", board.Help)
	}
	r := sam.do("POST", "/v1/help/help-c1/take", nil, "")
	if r.Status != 409 || r.code() != "cancelled" {
		t.Fatalf("taking a cancelled request: %d %s", r.Status, r.Body)
	}
	var page api.MessagePage
	must(t, alice.get("/v1/messages"), 200, &page)
	if n := len(page.Messages); n != 1 || page.Messages[0].CancelledAt == nil {
		t.Fatalf("the agent's sync: %+v", page.Messages)
	}

	// Taken first: too late to cancel.
	must(t, alice.do("POST", "/v1/help", api.NewHelp{ID: "help-c2", SentAt: now}, newKey()), 201, nil)
	must(t, sam.do("POST", "/v1/help/help-c2/take", nil, ""), 200, nil)
	r = alice.do("POST", "/v1/help/help-c2/cancel", nil, "")
	if r.Status != 409 || r.code() != "taken" {
		t.Fatalf("cancelling a taken request: %d %s", r.Status, r.Body)
	}
}
