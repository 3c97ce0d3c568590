package server_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TestCallParties: every party a PBX gives for a call (a national number,
// an internal extension, a SIP or SIPS address, a withheld caller) is
// logged through the real API, stored under one key, and the screen-pop
// finds a ticket by any spelling of its number; a withheld caller finds
// none and garbage is refused with a message.
func TestCallParties(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			testCallParties(t, p.URL)
		})
	}
}

func testCallParties(t *testing.T, base string) {
	a := login(t, base, "alice")
	// Two days ago: no other test logs calls then.
	day := time.Now().UTC().Truncate(24 * time.Hour).Add(-48 * time.Hour)
	want := map[string]string{} // call id -> stored number
	for i, tc := range []struct{ number, key string }{
		{"2002", "2002"},
		{"sip:2002@pbx.example", "2002"},
		{"sips:2002@pbx.example:5061;transport=tls", "2002"},
		{`"Help desk" <sip:support@pbx.example>`, "support"},
		{"anonymous", "anonymous"},
		{"sip:anonymous@anonymous.invalid", "anonymous"},
		{"", "anonymous"},
		{"*61", "*61"},
		{"+33 6 12 34 56 78", "+33612345678"},
		{"sip:+33612345678@pbx.example;user=phone", "+33612345678"},
	} {
		start := day.Add(9*time.Hour + time.Duration(i)*time.Minute)
		ans := start.Add(5 * time.Second)
		id := "party-" + string(rune('a'+i)) + "@pbx"
		c := api.CallLog{CallID: id, Direction: "inbound", Number: tc.number, StartedAt: start, AnsweredAt: &ans,
			EndedAt: start.Add(30 * time.Second), Disposition: "resolved"}
		if r := a.do("POST", "/v1/calls", c, newKey()); r.Status != 201 {
			t.Fatalf("call from %q: %d %s", tc.number, r.Status, r.Body)
		}
		want[id] = tc.key
	}
	var calls struct {
		Calls []api.CallLog `json:"calls"`
	}
	must(t, a.get("/v1/calls?from="+day.Format(time.RFC3339)+"&to="+day.Add(24*time.Hour).Format(time.RFC3339)), 200, &calls)
	if len(calls.Calls) != len(want) {
		t.Fatalf("%d calls listed, want %d: %+v", len(calls.Calls), len(want), calls.Calls)
	}
	for _, c := range calls.Calls {
		if c.Number != want[c.CallID] {
			t.Errorf("call %s stored number %q, want %q", c.CallID, c.Number, want[c.CallID])
		}
	}

	// Garbage is refused, with a message that says what a number may be.
	bad := api.CallLog{CallID: "party-bad@pbx", Direction: "inbound", Number: "call me back", StartedAt: day.Add(10 * time.Hour),
		EndedAt: day.Add(10*time.Hour + time.Minute)}
	if r := a.do("POST", "/v1/calls", bad, newKey()); r.Status != 400 || r.code() == "" {
		t.Fatalf("number %q: %d %s", bad.Number, r.Status, r.Body)
	}

	// A consultation leg (the attended transfer's call to extension 2002)
	// is listed with the call it served, and not counted as a call of the
	// shift: the shift below holds the ten calls above and this leg.
	for _, e := range []map[string]any{
		{"id": "party-in", "kind": "clock_in", "state": "available", "at": day.Add(8 * time.Hour),
			"precheck": map[string]any{"passed": true, "report": map[string]any{"headset": "pass"}}},
		{"id": "party-out", "kind": "clock_out", "state": "", "at": day.Add(12 * time.Hour)},
	} {
		must(t, a.do("POST", "/v1/agent-events", e, newKey()), 201, nil)
	}
	cs := day.Add(9*time.Hour + 30*time.Second)
	consult := api.CallLog{CallID: "party-consult@pbx", Direction: "outbound", Number: "sip:2002@pbx.example", StartedAt: cs,
		AnsweredAt: &cs, EndedAt: cs.Add(10 * time.Second), Disposition: "transferred", ConsultOf: "party-a@pbx"}
	must(t, a.do("POST", "/v1/calls", consult, newKey()), 201, nil)
	self := consult
	self.CallID, self.ConsultOf = "party-self@pbx", "party-self@pbx"
	if r := a.do("POST", "/v1/calls", self, newKey()); r.Status != 400 {
		t.Fatalf("a leg consulting itself: %d %s", r.Status, r.Body)
	}
	must(t, a.get("/v1/calls?from="+day.Format(time.RFC3339)+"&to="+day.Add(24*time.Hour).Format(time.RFC3339)), 200, &calls)
	legs := 0
	for _, c := range calls.Calls {
		if c.ConsultOf != "" {
			legs++
			if c.CallID != consult.CallID || c.ConsultOf != "party-a@pbx" || c.Number != "2002" {
				t.Errorf("consultation listed as %+v", c)
			}
		}
	}
	if legs != 1 || len(calls.Calls) != len(want)+1 {
		t.Fatalf("calls after the consultation: %+v", calls.Calls)
	}
	var shifts struct {
		Shifts []api.Shift `json:"shifts"`
	}
	must(t, a.get("/v1/shifts?from="+day.Format(time.RFC3339)+"&to="+day.Add(24*time.Hour).Format(time.RFC3339)), 200, &shifts)
	if len(shifts.Shifts) != 1 || shifts.Shifts[0].Calls != len(want) || shifts.Shifts[0].TalkSeconds != float64(25*len(want)) {
		t.Fatalf("shifts = %+v, want one with %d calls of 25 s (the consultation not counted)", shifts.Shifts, len(want))
	}

	// A ticket for an internal caller: found by the extension however the
	// PBX writes it.
	in := api.NewTicket{ID: "t-ext-2002", CustomerName: "Front desk", Phones: []string{"sip:2002@pbx.example"}, Subject: "Badge", Queue: "billing"}
	var tk api.Ticket
	must(t, a.do("POST", "/v1/tickets", in, newKey()), 201, &tk)
	if len(tk.Phones) != 1 || tk.Phones[0] != "2002" {
		t.Fatalf("ticket phones: %+v", tk.Phones)
	}
	for _, q := range []string{"2002", "sip:2002@pbx.example", "sips:2002@other.example;transport=tls", "<sip:2002@10.0.0.1:5060>"} {
		var got api.Lookup
		must(t, a.get("/v1/tickets?phone="+url.QueryEscape(q)), 200, &got)
		if got.Phone != "2002" || ticketIDs(got.Tickets) != "t-ext-2002" {
			t.Fatalf("lookup %q: %+v", q, got)
		}
	}
	// A withheld caller is nobody's customer: no tickets, no error.
	for _, q := range []string{"anonymous", "sip:anonymous@anonymous.invalid", "Restricted"} {
		var got api.Lookup
		must(t, a.get("/v1/tickets?phone="+url.QueryEscape(q)), 200, &got)
		if got.Phone != "anonymous" || len(got.Tickets) != 0 {
			t.Fatalf("lookup %q: %+v", q, got)
		}
	}
	// Nor can a ticket be filed under "anonymous", nor looked up by garbage.
	in.ID, in.Phones = "t-anon", []string{"anonymous"}
	if r := a.do("POST", "/v1/tickets", in, newKey()); r.Status != 400 {
		t.Fatalf("ticket for anonymous: %d %s", r.Status, r.Body)
	}
	if r := a.get("/v1/tickets?phone=" + url.QueryEscape("call me back")); r.Status != 400 {
		t.Fatalf("lookup of garbage: %d %s", r.Status, r.Body)
	}
	// The screen-pop by a national number still finds the E.164 ticket.
	var got api.Lookup
	must(t, a.get("/v1/tickets?phone="+url.QueryEscape("sip:2025550147@pbx.example;user=phone")), 200, &got)
	if got.Phone != "+12025550147" {
		t.Fatalf("lookup by national number in a SIP URI: %+v", got)
	}
}
