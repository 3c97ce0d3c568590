package server_test

import (
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
)

// TestAPI runs the whole API suite against a real server process, once on
// SQLite and once on PostgreSQL.
func TestAPI(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			t.Run("Auth", func(t *testing.T) { testAuth(t, p.URL) })
			t.Run("Tickets", func(t *testing.T) { testTickets(t, p.URL) })
			t.Run("Sync", func(t *testing.T) { testSync(t, p.URL) })
			t.Run("Authorization", func(t *testing.T) { testAuthorization(t, p.URL) })
			t.Run("BadInput", func(t *testing.T) { testBadInput(t, p.URL) })
			t.Run("CallsShiftsIndicators", func(t *testing.T) { testCallsShiftsIndicators(t, p.URL) })
		})
	}
}

func testAuth(t *testing.T, base string) {
	a := &client{t: t, base: base}
	r := a.do("POST", "/v1/auth/login", map[string]string{"username": "alice", "password": "wrong-password"}, "")
	if r.Status != 401 || r.code() != "bad_credentials" {
		t.Fatalf("bad password: %d %s", r.Status, r.Body)
	}
	// Over-long credentials are a 400 that says which one, not "required".
	for field, in := range map[string]api.Login{
		"username": {Username: strings.Repeat("a", 65), Password: "x"},
		"password": {Username: "alice", Password: strings.Repeat("p", 257)},
	} {
		r := a.do("POST", "/v1/auth/login", in, "")
		var eb api.ErrorBody
		r.decode(t, &eb)
		if r.Status != 400 || !strings.Contains(eb.Error.Message, field+" too long") {
			t.Errorf("over-long %s: %d %s", field, r.Status, r.Body)
		}
	}
	var lp struct {
		Access  string   `json:"access_token"`
		Refresh string   `json:"refresh_token"`
		User    api.User `json:"user"`
	}
	must(t, a.do("POST", "/v1/auth/login", map[string]string{"username": "alice", "password": server.DemoPassword}, ""), 200, &lp)
	if lp.User.Role != api.RoleAgent || strings.Join(lp.User.Queues, ",") != "billing" {
		t.Fatalf("alice: %+v", lp.User)
	}
	a.token = lp.Access
	must(t, a.get("/v1/me"), 200, nil)
	// Refresh rotates the tokens.
	var rp struct {
		Access  string `json:"access_token"`
		Refresh string `json:"refresh_token"`
	}
	must(t, a.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": lp.Refresh}, ""), 200, &rp)
	if rp.Refresh == lp.Refresh || rp.Access == "" {
		t.Fatal("refresh did not rotate the tokens")
	}
	// A retry with the spent token (its answer was lost) works within the grace period.
	must(t, a.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": lp.Refresh}, ""), 200, nil)
	must(t, a.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": "not-a-token"}, ""), 401, nil)
	// Rate limit: after DefaultLoginLimit failures the username is blocked,
	// even with the right password.
	sup := login(t, base, "sam")
	must(t, sup.do("POST", "/v1/users", api.NewUser{Username: "carol", Password: "carol-password", Role: api.RoleAgent, Queues: []string{"billing"}}, ""), 201, nil)
	must(t, a.do("POST", "/v1/auth/login", map[string]string{"username": "carol", "password": "carol-password"}, ""), 200, nil)
	for i := 0; i < server.DefaultLoginLimit; i++ {
		must(t, a.do("POST", "/v1/auth/login", map[string]string{"username": "carol", "password": "nope-nope"}, ""), 401, nil)
	}
	r = a.do("POST", "/v1/auth/login", map[string]string{"username": "carol", "password": "carol-password"}, "")
	if r.Status != 429 || r.code() != "rate_limited" {
		t.Fatalf("after %d failures: %d %s", server.DefaultLoginLimit, r.Status, r.Body)
	}
	// Bad tokens.
	for _, tok := range []string{"", "garbage", lp.Access + "x", "a.b.c"} {
		b := &client{t: t, base: base, token: tok}
		if r := b.get("/v1/tickets?phone=%2B33612345678"); r.Status != 401 {
			t.Fatalf("token %q: %d", tok, r.Status)
		}
	}
}

func testTickets(t *testing.T, base string) {
	a := login(t, base, "alice")
	key := newKey()
	in := api.NewTicket{ID: "t-alice-1", CustomerName: "Dora Diaz", Phones: []string{"(202) 555-0147"}, Subject: "Card declined", Queue: "billing"}
	var t1 api.Ticket
	must(t, a.do("POST", "/v1/tickets", in, key), 201, &t1)
	if t1.Version != 1 || len(t1.Phones) != 1 || t1.Phones[0] != "+12025550147" || t1.Status != "open" || t1.Channel != "phone" {
		t.Fatalf("created: %+v", t1)
	}
	// Same key, same body: the stored answer, no second ticket.
	var again api.Ticket
	must(t, a.do("POST", "/v1/tickets", in, key), 201, &again)
	if again.ID != t1.ID || again.Seq != t1.Seq {
		t.Fatalf("replay differs: %+v vs %+v", again, t1)
	}
	// Same key, other body: refused.
	in2 := in
	in2.Subject = "other"
	if r := a.do("POST", "/v1/tickets", in2, key); r.Status != 422 || r.code() != "idempotency_key_reused" {
		t.Fatalf("key reuse: %d %s", r.Status, r.Body)
	}
	// Screen-pop finds it whatever the number's format.
	for _, q := range []string{"%2B1+202+555+0147", "2025550147", "%2B12025550147"} {
		var got struct {
			Phone   string       `json:"phone"`
			Tickets []api.Ticket `json:"tickets"`
		}
		must(t, a.get("/v1/tickets?phone="+q), 200, &got)
		if got.Phone != "+12025550147" || ticketIDs(got.Tickets) != "t-alice-1" {
			t.Fatalf("lookup %s: %+v", q, got)
		}
	}
	// Notes: one per key and one per note id.
	note := map[string]string{"id": "n-1", "body": "Customer will call back."}
	nk := newKey()
	must(t, a.do("POST", "/v1/tickets/t-alice-1/notes", note, nk), 201, nil)
	must(t, a.do("POST", "/v1/tickets/t-alice-1/notes", note, nk), 201, nil)
	must(t, a.do("POST", "/v1/tickets/t-alice-1/notes", note, newKey()), 200, nil)
	must(t, a.get("/v1/tickets/t-alice-1"), 200, &t1)
	if len(t1.Notes) != 1 || t1.Notes[0].Body != note["body"] || t1.Notes[0].AuthorName != "Alice Agent" {
		t.Fatalf("notes: %+v", t1.Notes)
	}
	// Version check: a stale edit gets 409 with the current ticket.
	sup := login(t, base, "sam")
	closed := "closed"
	var t2 api.Ticket
	must(t, sup.do("PATCH", "/v1/tickets/t-alice-1", api.TicketPatch{Version: 1, Status: &closed}, newKey()), 200, &t2)
	if t2.Version != 2 || t2.Status != "closed" {
		t.Fatalf("patched: %+v", t2)
	}
	subj := "Card declined twice"
	r := a.do("PATCH", "/v1/tickets/t-alice-1", api.TicketPatch{Version: 1, Subject: &subj}, newKey())
	var conflict struct {
		Ticket api.Ticket `json:"ticket"`
	}
	must(t, r, 409, &conflict)
	if r.code() != "version_conflict" || conflict.Ticket.Version != 2 || conflict.Ticket.Status != "closed" || conflict.Ticket.UpdatedBy != "Sam Supervisor" {
		t.Fatalf("conflict: %s", r.Body)
	}
	must(t, a.do("PATCH", "/v1/tickets/t-alice-1", api.TicketPatch{Version: 2, Subject: &subj}, newKey()), 200, &t2)
	if t2.Version != 3 || t2.Subject != subj || t2.Status != "closed" {
		t.Fatalf("edit on current version: %+v", t2)
	}
	// An edit that changes nothing makes no new version.
	same := "closed"
	must(t, sup.do("PATCH", "/v1/tickets/t-alice-1", api.TicketPatch{Version: 3, Subject: &subj, Status: &same}, newKey()), 200, &t2)
	if t2.Version != 3 || t2.Subject != subj {
		t.Fatalf("an edit that changes nothing: %+v", t2)
	}
	must(t, a.get("/v1/tickets/t-alice-1"), 200, &t1)
	if t1.Version != 3 {
		t.Fatalf("version after an edit that changed nothing: %d", t1.Version)
	}
	var d struct {
		Dispositions []api.Disposition `json:"dispositions"`
	}
	must(t, a.get("/v1/dispositions"), 200, &d)
	if len(d.Dispositions) < 5 {
		t.Fatalf("dispositions: %+v", d)
	}
}

func testSync(t *testing.T, base string) {
	sup := login(t, base, "sam")
	bob := login(t, base, "bob")
	var first api.SyncPage
	must(t, bob.get("/v1/sync?limit=1000"), 200, &first)
	for i := 0; i < 25; i++ {
		in := api.NewTicket{ID: fmt.Sprintf("sync-%02d", i), CustomerName: "C", Phones: []string{"+442071838750"}, Queue: "support"}
		must(t, sup.do("POST", "/v1/tickets", in, newKey()), 201, nil)
	}
	seen := map[string]int{}
	cursor, pages := first.NextCursor, 0
	for {
		var p api.SyncPage
		must(t, bob.get("/v1/sync?limit=10&cursor="+cursor), 200, &p)
		pages++
		for _, tk := range p.Tickets {
			seen[tk.ID]++
		}
		cursor = p.NextCursor
		if !p.More {
			break
		}
	}
	if pages != 3 || len(seen) != 25 {
		t.Fatalf("pages %d, tickets %d: %v", pages, len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s delivered %d times", id, n)
		}
	}
	var empty api.SyncPage
	must(t, bob.get("/v1/sync?cursor="+cursor), 200, &empty)
	if len(empty.Tickets) != 0 || empty.More || empty.NextCursor != cursor {
		t.Fatalf("caught-up sync: %+v", empty)
	}
	// A note changes the ticket: it comes back with its thread.
	must(t, sup.do("POST", "/v1/tickets/sync-07/notes", map[string]string{"body": "escalated to level 2"}, newKey()), 201, nil)
	var delta api.SyncPage
	must(t, bob.get("/v1/sync?cursor="+cursor), 200, &delta)
	if ticketIDs(delta.Tickets) != "sync-07" || len(delta.Tickets[0].Notes) != 1 {
		t.Fatalf("delta after note: %+v", delta)
	}
}

func testAuthorization(t *testing.T, base string) {
	alice := login(t, base, "alice") // billing
	bob := login(t, base, "bob")     // support
	// demo-2 is a support ticket: invisible to alice, whatever she tries.
	if r := alice.get("/v1/tickets/demo-2"); r.Status != 404 {
		t.Fatalf("alice GET support ticket: %d", r.Status)
	}
	if r := alice.do("POST", "/v1/tickets/demo-2/notes", map[string]string{"body": "x"}, newKey()); r.Status != 404 {
		t.Fatalf("alice note on support ticket: %d", r.Status)
	}
	if r := alice.do("PATCH", "/v1/tickets/demo-2", api.TicketPatch{Version: 1}, newKey()); r.Status != 404 {
		t.Fatalf("alice patch support ticket: %d", r.Status)
	}
	if r := alice.do("POST", "/v1/tickets", api.NewTicket{CustomerName: "X", Queue: "support"}, newKey()); r.Status != 403 {
		t.Fatalf("alice create in support: %d %s", r.Status, r.Body)
	}
	var look struct {
		Tickets []api.Ticket `json:"tickets"`
	}
	must(t, alice.get("/v1/tickets?phone=%2B14155550134"), 200, &look)
	if len(look.Tickets) != 0 {
		t.Fatalf("alice screen-pop shows support tickets: %s", ticketIDs(look.Tickets))
	}
	var page api.SyncPage
	must(t, alice.get("/v1/sync?limit=1000"), 200, &page)
	for _, tk := range page.Tickets {
		if tk.Queue != "billing" {
			t.Fatalf("alice synced %s of queue %s", tk.ID, tk.Queue)
		}
	}
	// Assigned to alice: visible even in another queue.
	sup := login(t, base, "sam")
	var me api.User
	must(t, alice.get("/v1/me"), 200, &me)
	var demo2 api.Ticket
	must(t, sup.get("/v1/tickets/demo-2"), 200, &demo2)
	must(t, sup.do("PATCH", "/v1/tickets/demo-2", api.TicketPatch{Version: demo2.Version, AssigneeID: &me.ID}, newKey()), 200, nil)
	must(t, alice.get("/v1/tickets/demo-2"), 200, nil)
	must(t, bob.get("/v1/tickets/demo-2"), 200, nil)
	// Supervisor-only endpoints.
	if r := alice.get("/v1/indicators"); r.Status != 403 {
		t.Fatalf("agent indicators: %d", r.Status)
	}
	if r := alice.do("POST", "/v1/users", api.NewUser{Username: "eve", Password: "12345678", Role: "supervisor"}, ""); r.Status != 403 {
		t.Fatalf("agent creates a user: %d", r.Status)
	}
	if r := alice.get("/v1/calls?agent_id=" + demo2.ID); r.Status != 403 {
		t.Fatalf("agent reads another agent's calls: %d", r.Status)
	}
}

func testBadInput(t *testing.T, base string) {
	a := login(t, base, "alice")
	big := `{"body":"` + strings.Repeat("x", server.DefaultMaxBody) + `"}`
	r := a.raw("POST", "/v1/tickets/demo-1/notes", []byte(big), map[string]string{"Idempotency-Key": newKey()})
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{`{`, `[]`, `{"body": 5}`, `{"body":"a"} {"body":"b"}`, "\x00\xff", `{"body":""}`} {
		r := a.raw("POST", "/v1/tickets/demo-1/notes", []byte(body), map[string]string{"Idempotency-Key": newKey()})
		if r.Status != 400 || r.code() == "" {
			t.Fatalf("body %q: %d %s", body, r.Status, r.Body)
		}
	}
	checks := []struct {
		method, path, body string
		key                bool
		want               int
	}{
		{"POST", "/v1/tickets/demo-1/notes", `{"body":"no key"}`, false, 400},
		{"POST", "/v1/tickets", `{"customer_name":"X","queue":"billing","phones":["not a number"]}`, true, 400},
		{"POST", "/v1/tickets", `{"customer_name":"X","queue":"billing","channel":"fax"}`, true, 400},
		{"POST", "/v1/tickets", `{"customer_name":"X","queue":"billing","id":"bad id!"}`, true, 400},
		{"POST", "/v1/tickets", `{"customer_name":"","queue":"billing"}`, true, 400},
		{"GET", "/v1/tickets?phone=abc%21%21+x", ``, false, 400},
		{"GET", "/v1/sync?cursor=-4", ``, false, 400},
		{"GET", "/v1/sync?limit=100000", ``, false, 400},
		{"GET", "/v1/nowhere", ``, false, 404},
		{"DELETE", "/v1/tickets/demo-1", ``, false, 404},
		{"POST", "/v1/calls", `{"call_id":"c","direction":"sideways"}`, true, 400},
		{"POST", "/v1/agent-events", `{"id":"e","kind":"clock_in","at":"2026-01-01T00:00:00Z"}`, true, 400},
	}
	for _, c := range checks {
		hdr := map[string]string{}
		if c.key {
			hdr["Idempotency-Key"] = newKey()
		}
		if r := a.raw(c.method, c.path, []byte(c.body), hdr); r.Status != c.want {
			t.Errorf("%s %s %s: %d, want %d: %s", c.method, c.path, c.body, r.Status, c.want, r.Body)
		}
	}
	must(t, a.get("/v1/health"), 200, nil)
}

func testCallsShiftsIndicators(t *testing.T, base string) {
	a := login(t, base, "alice")
	var me api.User
	must(t, a.get("/v1/me"), 200, &me)
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour) // yesterday: a closed day
	at := func(min int) time.Time { return day.Add(9*time.Hour + time.Duration(min)*time.Minute) }
	ev := func(id, kind, state string, min int, passed *bool) {
		e := map[string]any{"id": id, "kind": kind, "state": state, "at": at(min)}
		if passed != nil {
			e["precheck"] = map[string]any{"passed": *passed, "report": map[string]any{"headset": "pass"}}
		}
		k := newKey()
		must(t, a.do("POST", "/v1/agent-events", e, k), 201, nil)
		must(t, a.do("POST", "/v1/agent-events", e, k), 201, nil) // a duplicate delivery
	}
	no, yes := false, true
	ev("e1", "precheck", "", 0, &no)
	ev("e2", "clock_in", "available", 5, &yes)
	ev("e3", "state", "on_call", 10, nil)
	ev("e4", "state", "wrap_up", 14, nil)
	ev("e5", "state", "available", 16, nil)
	ev("e6", "clock_out", "", 65, nil)
	answered := at(10).Add(30 * time.Second)
	call := api.CallLog{CallID: "call-1@pbx", Direction: "inbound", Number: "+33 6 12 34 56 78", StartedAt: at(10), AnsweredAt: &answered,
		EndedAt: at(14), Disposition: "resolved", Note: "Refund confirmed.", TicketID: "demo-1",
		Quality: api.CallQuality{Codec: "opus", LossPct: 0.5, JitterMs: 12, MOS: 4.2}}
	k := newKey()
	must(t, a.do("POST", "/v1/calls", call, k), 201, nil)
	must(t, a.do("POST", "/v1/calls", call, k), 201, nil)
	must(t, a.do("POST", "/v1/calls", call, newKey()), 200, nil)
	bad := call
	bad.CallID, bad.Disposition = "call-2", "teleported"
	if r := a.do("POST", "/v1/calls", bad, newKey()); r.Status != 400 {
		t.Fatalf("unknown disposition: %d", r.Status)
	}
	var calls struct {
		Calls []api.CallLog `json:"calls"`
	}
	must(t, a.get("/v1/calls?from="+day.Format(time.RFC3339)+"&to="+day.Add(24*time.Hour).Format(time.RFC3339)), 200, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0].Number != "+33612345678" || calls.Calls[0].TalkSeconds != 210 || calls.Calls[0].Quality.MOS != 4.2 {
		t.Fatalf("calls: %+v", calls.Calls)
	}
	var tk api.Ticket
	must(t, a.get("/v1/tickets/demo-1"), 200, &tk)
	callNotes := 0
	for _, n := range tk.Notes {
		if n.ID == "call:call-1@pbx" && n.Body == "Refund confirmed." {
			callNotes++
		}
	}
	if callNotes != 1 {
		t.Fatalf("call note on the ticket %d times: %+v", callNotes, tk.Notes)
	}
	var shifts struct {
		Shifts []api.Shift `json:"shifts"`
	}
	must(t, a.get("/v1/shifts?from="+day.Format(time.RFC3339)+"&to="+day.Add(24*time.Hour).Format(time.RFC3339)), 200, &shifts)
	if len(shifts.Shifts) != 1 {
		t.Fatalf("shifts: %+v", shifts)
	}
	sh := shifts.Shifts[0]
	if sh.Calls != 1 || sh.TalkSeconds != 210 || sh.BillableMinutes != 4 || sh.WrapUpSeconds != 120 || !sh.PrecheckPassed ||
		sh.StateSeconds["available"] != 5*60+49*60 || sh.StateSeconds["on_call"] != 240 || sh.ClockOut == nil {
		t.Fatalf("shift: %+v", sh)
	}
	sup := login(t, base, "sam")
	var ind struct {
		Agents []api.Indicators `json:"agents"`
	}
	must(t, sup.get("/v1/indicators?day="+day.Format(time.DateOnly)), 200, &ind)
	var mine *api.Indicators
	for i := range ind.Agents {
		if ind.Agents[i].AgentID == me.ID {
			mine = &ind.Agents[i]
		}
	}
	if mine == nil || mine.Username != "alice" || mine.CallsHandled != 1 || mine.AvgHandleSeconds != 330 || mine.AvgMOS != 4.2 ||
		mine.PrecheckFailures != 1 || mine.WrapUpSeconds != 120 || mine.StateSeconds["on_call"] != 240 {
		t.Fatalf("indicators: %+v", ind.Agents)
	}
}
