package core

import (
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/servertest"
)

// loggedInCore is a core on a real ticket server, logged in as the demo
// agent, with the phone region FR.
func loggedInCore(t *testing.T, tweak ...func(*Options)) (*Core, string) {
	t.Helper()
	url := servertest.StartDemo(t)
	pol := config.DefaultPolicy()
	pol.Shift.PhoneRegion = "FR"
	c := newTestCore(t, config.Profile{Backend: config.Backend{URL: url, Agent: server.DemoAgent}}, &pol, func(o *Options) {
		for _, fn := range tweak {
			fn(o)
		}
	})
	login := backend.NewHTTPBackend(url, keyringTokens{store: c.opts.Secrets}, nil)
	if err := login.Login(ctxFor(t, 5*time.Second), server.DemoAgent, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	cl, err := c.tickets.Client()
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SyncOnce(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	return c, url
}

// TestNewTicketFromWrapUp: "Create a new ticket" used to fail every time
// (no customer name, no queue). Now the ticket is made for the caller in the
// agent's queue, the call is filed on it, and the GUI learns its id.
func TestNewTicketFromWrapUp(t *testing.T) {
	c, url := loggedInCore(t)
	be := c.Backend()
	queues, err := be.Tickets.Queues(ctxFor(t, 5*time.Second))
	if err != nil || len(queues) != 1 || queues[0] != "billing" {
		t.Fatalf("queues = %v, %v; want alice's billing", queues, err)
	}
	start := time.Now().Add(-2 * time.Minute)
	id, err := be.Tickets.LogCall(ctxFor(t, 5*time.Second), ui.CallLog{CallID: "new-ticket-call", Remote: "06 98 76 54 32",
		Direction: ui.Inbound, Start: start, Answered: start.Add(3 * time.Second), End: start.Add(90 * time.Second),
		Disposition: "callback", Note: "wants a callback on Friday", CreateTicket: true, CustomerName: "Sophie Bernard",
		Queue: queues[0], Subject: "Call back about the router"})
	if err != nil || id == "" {
		t.Fatalf("LogCall = %q, %v; want the new ticket's id", id, err)
	}
	cl, _ := c.tickets.Client()
	if err := cl.SyncOnce(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	calls := servertest.AgentCalls(t, url)
	if len(calls) != 1 || calls[0].TicketID != id || calls[0].Number != "+33698765432" {
		t.Fatalf("calls = %+v, want the call on ticket %s from +33698765432", calls, id)
	}
	tk, err := be.Tickets.Ticket(ctxFor(t, 5*time.Second), id)
	if err != nil || tk.Customer != "Sophie Bernard" || tk.Queue != "billing" || tk.Subject != "Call back about the router" {
		t.Fatalf("ticket = %+v, %v", tk, err)
	}
	if len(tk.Notes) != 1 || tk.Notes[0].Body != "wants a callback on Friday" || tk.Notes[0].Author != "Alice Agent" {
		t.Fatalf("thread = %+v, want the wrap-up note by the agent", tk.Notes)
	}
	// The number the agent dials the national way finds the same tickets.
	found, err := be.Tickets.LookupByPhone(ctxFor(t, 5*time.Second), "0698765432")
	if err != nil || len(found) != 1 || found[0].ID != id {
		t.Fatalf("lookup by the national number = %+v, %v", found, err)
	}
}

// TestOneNormalisationEverywhere: 0612345678 and +33612345678 are one
// number for the screen-pop and the call list; extensions and SIP
// addresses stay as typed, and are no error for the screen-pop.
func TestOneNormalisationEverywhere(t *testing.T) {
	c, _ := loggedInCore(t)
	be := c.Backend()
	for in, want := range map[string]string{"0612345678": "+33612345678", "06 12 34 56 78": "+33612345678",
		"+33 6 12 34 56 78": "+33612345678", "1001": "1001", "20 02": "2002", "*61": "*61", "anonymous": "anonymous", "Restricted": "anonymous", "sip:anonymous@anonymous.invalid": "anonymous", "sip:bob@example.com": "sip:bob@example.com"} {
		if got := be.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	national, err := be.Tickets.LookupByPhone(ctxFor(t, 5*time.Second), "0612345678")
	if err != nil || len(national) != 2 {
		t.Fatalf("lookup 0612345678 = %d tickets, %v; want Claire's 2", len(national), err)
	}
	if national[0].Customer != "Claire Martin" || national[0].Status == "" {
		t.Fatalf("ticket = %+v", national[0])
	}
	if none, err := be.Tickets.LookupByPhone(ctxFor(t, 5*time.Second), "1001"); err != nil || len(none) != 0 {
		t.Fatalf("an extension: %v, %v; want no ticket and no error", none, err)
	}
}

// TestEveryCallReachesTheBackend: an outbound call placed while Not ready
// is counted and logged, the agent returns to Not ready with the reason
// after wrap-up, a missed call is logged too, and the summary, /v1/shifts
// and /v1/calls agree.
func TestEveryCallReachesTheBackend(t *testing.T) {
	clk := &stepClock{t: time.Now()}
	c, url := loggedInCore(t, func(o *Options) { o.Clock = clk })
	be := c.Backend()
	ctx := ctxFor(t, 20*time.Second)
	if err := be.Shift.ClockIn(ctx, ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	start := clk.Now()
	if err := be.Shift.SetState(ctx, ui.StateNotReady, "tech"); err != nil {
		t.Fatal(err)
	}
	c.shift.callAnswered("out-1")
	if st, _ := c.machine.State(); st.String() != "on_call" {
		t.Fatalf("state on the call = %v", st)
	}
	c.shift.callClosed("out-1", ui.Outbound, true, false)
	now := clk.Now()
	if _, err := be.Tickets.LogCall(ctx, ui.CallLog{CallID: "out-1", Remote: "0612345678", Direction: ui.Outbound,
		Start: start, Answered: start, End: now, Disposition: "resolved"}); err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.EndWrapUp(ctx, "resolved", nil); err != nil {
		t.Fatal(err)
	}
	st, r := c.machine.State()
	if st.String() != "not_ready" || r.Code != "tech" || r.Message != "Technical problem" {
		t.Fatalf("after wrap-up: %v %+v, want Not ready (tech)", st, r)
	}
	if err := be.Shift.SetState(ctx, ui.StateAvailable, ""); err != nil {
		t.Fatal(err)
	}
	c.shift.callClosed("in-missed", ui.Inbound, false, false)
	// shift.missed_call_not_ready (on by default): nobody answers at this desk.
	if st, r := c.machine.State(); st.String() != "not_ready" || r.Code != "missed_call" {
		t.Fatalf("after a missed call: %v %+v, want Not ready (missed_call)", st, r)
	}
	if _, err := be.Tickets.LogCall(ctx, ui.CallLog{CallID: "in-missed", Remote: "+14155550134", Direction: ui.Inbound,
		Start: now, End: now.Add(20 * time.Second), Disposition: ui.DispositionMissed}); err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.SetState(ctx, ui.StateBreak, "lunch"); err != nil {
		t.Fatal(err)
	}
	sum, err := be.Shift.ClockOut(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Calls != 1 || sum.Missed != 1 || sum.Dispositions["resolved"] != 1 {
		t.Fatalf("summary = %+v", sum)
	}
	cl, _ := c.tickets.Client()
	if err := cl.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	calls := servertest.AgentCalls(t, url)
	if len(calls) != 2 {
		t.Fatalf("calls = %+v, want the outbound and the missed one", calls)
	}
	for _, call := range calls {
		if call.CallID == "in-missed" && (call.AnsweredAt != nil || call.Disposition != "missed") {
			t.Fatalf("missed call logged as %+v", call)
		}
	}
	shifts := servertest.AgentShifts(t, url)
	if len(shifts) != 1 || shifts[0].Calls != sum.Calls || shifts[0].StateSeconds["not_ready"] <= 0 ||
		shifts[0].StateSeconds["break"] <= 0 {
		t.Fatalf("shifts = %+v, want one with %d call and time Not ready and on Break", shifts, sum.Calls)
	}
}

// stepClock moves one second at each reading: every state lasts.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}
