package core

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestCallPartiesReachTheBackend: a call from an internal extension (as a
// SIP URI) with a new ticket, and a call from a withheld caller, are
// logged through the outbox and accepted by the real server (they used to
// be refused, "2002 is not a phone number", and set aside); the new ticket
// is found again by the extension, and a withheld caller finds no ticket.
func TestCallPartiesReachTheBackend(t *testing.T) {
	c, url := loggedInCore(t)
	be := c.Backend()
	ctx := ctxFor(t, 10*time.Second)
	start := time.Now().Add(-5 * time.Minute)
	id, err := be.Tickets.LogCall(ctx, ui.CallLog{CallID: "ext-call", Remote: "sip:2002@127.0.0.1:5060", Direction: ui.Inbound,
		Start: start, Answered: start.Add(2 * time.Second), End: start.Add(time.Minute), Disposition: "resolved",
		Note: "badge reader fixed", CreateTicket: true, CustomerName: "Front desk", Queue: "billing", Subject: "Badge reader"})
	if err != nil || id == "" {
		t.Fatalf("LogCall from an extension = %q, %v", id, err)
	}
	if _, err := be.Tickets.LogCall(ctx, ui.CallLog{CallID: "anon-call", Remote: "anonymous", Direction: ui.Inbound,
		Start: start.Add(2 * time.Minute), End: start.Add(3 * time.Minute), Disposition: "dropped"}); err != nil {
		t.Fatalf("LogCall from a withheld caller: %v", err)
	}
	cl, err := c.tickets.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if failed, err := cl.Failed(ctx); err != nil || len(failed) != 0 {
		t.Fatalf("writes the server refused: %+v, %v", failed, err)
	}
	got := map[string]string{}
	for _, call := range servertest.AgentCalls(t, url) {
		got[call.CallID] = call.Number + " " + call.TicketID
	}
	if got["ext-call"] != "2002 "+id || got["anon-call"] != "anonymous " {
		t.Fatalf("server calls = %q; want ext-call from 2002 on %s and anon-call from anonymous", got, id)
	}
	for _, spelling := range []string{"2002", "sip:2002@pbx.example", "sips:2002@10.0.0.1;transport=tls"} {
		found, err := be.Tickets.LookupByPhone(ctx, spelling)
		if err != nil || len(found) != 1 || found[0].ID != id || found[0].Customer != "Front desk" {
			t.Fatalf("screen-pop for %q = %+v, %v; want the Front desk ticket", spelling, found, err)
		}
	}
	if found, err := be.Tickets.LookupByPhone(ctx, "sip:anonymous@anonymous.invalid"); err != nil || len(found) != 0 {
		t.Fatalf("screen-pop for a withheld caller = %+v, %v; want none, no error", found, err)
	}
}
