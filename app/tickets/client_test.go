package tickets

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

func call(id, ticket, note string) CallLog {
	start := time.Now().UTC().Add(-5 * time.Minute).Truncate(time.Second)
	ans := start.Add(20 * time.Second)
	return CallLog{CallID: id, Direction: "inbound", Number: "+33612345678", StartedAt: start, AnsweredAt: &ans,
		EndedAt: start.Add(3 * time.Minute), Disposition: "resolved", Note: note, TicketID: ticket,
		Quality: CallQuality{Codec: "opus", LossPct: 0.2, JitterMs: 8, MOS: 4.3}}
}

// TestScreenPopOfflineAndDeliveryAfterOutage: screen-pop answers from the
// cache while the backend is down, writes made meanwhile wait in the outbox
// and reach the restarted backend exactly once.
func TestScreenPopOfflineAndDeliveryAfterOutage(t *testing.T) {
	srv := newBackendServer(t)
	be := loggedIn(t, srv.URL(), "alice")
	c := openClient(t, be, Options{AgentName: "Alice Agent", MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if ds, err := c.Dispositions(t.Context()); err != nil || len(ds) == 0 {
		t.Fatalf("dispositions: %v %v", ds, err)
	}
	srv.kill()

	// Offline: the screen-pop still answers, in any number format.
	got, err := c.LookupByPhone(t.Context(), "call me")
	if err == nil {
		t.Fatalf("bad number accepted: %v", got)
	}
	c.opt.Region = "FR"
	got, err = c.LookupByPhone(t.Context(), "06 12 34 56 78")
	if err != nil || len(got) != 2 {
		t.Fatalf("offline screen-pop: %v %v", got, err)
	}
	if _, err := c.LookupByPhone(t.Context(), "+1 415 555 0134"); err != nil {
		t.Fatal(err)
	} // bob's support ticket: never synced to alice
	if ts, _ := c.LookupByPhone(t.Context(), "+1 415 555 0134"); len(ts) != 0 {
		t.Fatalf("alice's cache holds another queue's ticket: %v", ts)
	}
	// Offline writes: a new ticket, notes on it and on an old one, a call, events.
	nt, err := c.CreateTicket(t.Context(), NewTicket{CustomerName: "Eva Offline", Phones: []string{"+44 20 7183 8750"}, Queue: "billing", Subject: "Made offline"})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"first offline note", "second offline note"} {
		if _, err := c.AddNote(t.Context(), nt.ID, text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.AddNote(t.Context(), "demo-1", "note while the server was down"); err != nil {
		t.Fatal(err)
	}
	if err := c.LogCall(t.Context(), call("outage-call-1", "demo-1", "call note while down")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := c.RecordAgentEvent(t.Context(), AgentEvent{Kind: EventClockIn, State: "available", At: now.Add(-time.Hour),
		Precheck: &Precheck{Passed: true, Report: []byte(`{"headset":"pass"}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := c.RecordAgentEvent(t.Context(), AgentEvent{Kind: EventClockOut, At: now}); err != nil {
		t.Fatal(err)
	}
	tk, _ := c.Ticket(t.Context(), nt.ID)
	if len(tk.Notes) != 2 || !tk.Notes[0].Pending {
		t.Fatalf("local thread: %+v", tk.Notes)
	}
	if n, _ := c.Pending(t.Context()); n != 7 {
		t.Fatalf("pending %d, want 7", n)
	}
	if err := c.SyncOnce(t.Context()); err == nil {
		t.Fatal("sync with the server down reported no error")
	}

	// Back up: the loop delivers everything.
	delivered := make(chan string, 100)
	c.opt.Delivered = func(kind string) { delivered <- kind }
	runLoop(t, c)
	srv.start()
	c.wake()
	for i := 0; i < 7; i++ {
		select {
		case <-delivered:
		case <-time.After(30 * time.Second):
			n, _ := c.Pending(t.Context())
			t.Fatalf("after the outage %d writes still pending", n)
		}
	}
	sup := loggedIn(t, srv.URL(), "sam")
	v := serverView{t: t, be: sup}
	exactlyOnce(t, "note", countBodies(v.ticket(nt.ID).Notes), []string{"first offline note", "second offline note"})
	exactlyOnce(t, "note", countBodies(v.ticket("demo-1").Notes), []string{"note while the server was down", "call note while down"})
	alice := v.userID("alice", be)
	calls := v.calls(alice)
	if len(calls) != 1 || calls[0].CallID != "outage-call-1" || calls[0].Quality.MOS != 4.3 {
		t.Fatalf("calls on the server: %+v", calls)
	}
	var shifts struct {
		Shifts []api.Shift `json:"shifts"`
	}
	v.get("/v1/shifts?agent_id="+alice, &shifts)
	if len(shifts.Shifts) != 1 || shifts.Shifts[0].ClockOut == nil || shifts.Shifts[0].Calls != 1 {
		t.Fatalf("shift: %s", mustJSON(shifts))
	}
	tk, _ = c.Ticket(t.Context(), nt.ID)
	if tk.Version != 1 || tk.Notes[0].Pending {
		t.Fatalf("after sync the local ticket is %+v", tk)
	}
}

// TestFieldConflictServerWinsAndAgentIsTold: a supervisor closes a ticket
// while the agent, working from the old version, edits status and subject.
func TestFieldConflictServerWinsAndAgentIsTold(t *testing.T) {
	srv := newBackendServer(t)
	be := loggedIn(t, srv.URL(), "alice")
	ns := newNotices()
	c := openClient(t, be, Options{Notify: ns.notify})
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	sup := loggedIn(t, srv.URL(), "sam")
	closed := "closed"
	if _, err := sup.UpdateTicket(t.Context(), newID(), "demo-3", TicketPatch{Version: 1, Status: &closed}); err != nil {
		t.Fatal(err)
	}
	pending, subject := "pending", "Change of address (new flat)"
	if err := c.UpdateTicket(t.Context(), "demo-3", TicketPatch{Status: &pending, Subject: &subject}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddNote(t.Context(), "demo-3", "customer sent the lease"); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	var n Notice
	select {
	case n = <-ns.ch:
	default:
		t.Fatal("no conflict notice")
	}
	want := `Sam Supervisor changed the status to "closed" (yours: "pending"). Their change was kept.`
	if n.Kind != NoticeConflict || n.TicketID != "demo-3" || n.Message != want || len(n.Changes) != 1 {
		t.Fatalf("notice: %+v", n)
	}
	st := serverView{t: t, be: sup}.ticket("demo-3")
	if st.Status != "closed" || st.Subject != subject || st.Version != 3 || countBodies(st.Notes)["customer sent the lease"] != 1 {
		t.Fatalf("server ticket: %+v", st)
	}
	local, _ := c.Ticket(t.Context(), "demo-3")
	if local.Status != "closed" || local.Subject != subject || local.Version != 3 {
		t.Fatalf("local ticket: %+v", local)
	}
}

// TestRefusedWriteIsKeptAndReported: a write the server refuses for good
// does not block the outbox and is not silently lost.
func TestRefusedWriteIsKeptAndReported(t *testing.T) {
	srv := newBackendServer(t)
	be := loggedIn(t, srv.URL(), "alice")
	ns := newNotices()
	c := openClient(t, be, Options{Notify: ns.notify})
	bad := call("bad-disposition", "", "")
	bad.Disposition = "teleported"
	if err := c.LogCall(t.Context(), bad); err != nil {
		t.Fatal(err)
	}
	if err := c.LogCall(t.Context(), call("good-call", "", "")); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	failed, err := c.Failed(t.Context())
	if err != nil || len(failed) != 1 || failed[0].Kind != kindCall {
		t.Fatalf("failed: %+v %v", failed, err)
	}
	if n, _ := c.Pending(t.Context()); n != 0 {
		t.Fatalf("pending %d", n)
	}
	if x := <-ns.ch; x.Kind != NoticeRejected {
		t.Fatalf("notice %+v", x)
	}
	v := serverView{t: t, be: loggedIn(t, srv.URL(), "sam")}
	if calls := v.calls(v.userID("alice", be)); len(calls) != 1 || calls[0].CallID != "good-call" {
		t.Fatalf("server calls: %+v", calls)
	}
}

// TestTokenRefreshAndLogout: an access token the server no longer accepts is
// refreshed transparently; without a refresh token writes wait for a login.
func TestTokenRefreshAndLogout(t *testing.T) {
	srv := newBackendServer(t)
	tokens := &backend.MemoryTokenStore{}
	forger := &accessForger{next: http.DefaultTransport}
	be := backend.NewHTTPBackend(srv.URL(), tokens, &http.Client{Transport: forger})
	if err := be.Login(t.Context(), "alice", server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	forger.forge(1)
	c := openClient(t, be, Options{})
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatalf("sync with a stale access token: %v", err)
	}
	if forger.forged() != 1 {
		t.Fatalf("%d requests went out with the stale token, want 1", forger.forged())
	}
	_ = tokens.Delete()
	forger.forge(-1)
	if _, err := c.AddNote(t.Context(), "demo-1", "kept until login"); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOnce(t.Context()); !errors.Is(err, ErrLoginNeeded) {
		t.Fatalf("without tokens: %v", err)
	}
	if n, _ := c.Pending(t.Context()); n != 1 {
		t.Fatalf("pending %d", n)
	}
	if err := be.Login(t.Context(), "alice", "wrong password"); err == nil {
		t.Fatal("wrong password accepted")
	}
	forger.forge(0)
	if err := be.Login(t.Context(), "alice", server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Pending(t.Context()); n != 0 {
		t.Fatalf("pending %d after login", n)
	}
}

// accessForger replaces the access token of outgoing requests with one the
// server never issued: for the next n requests, for all with n < 0.
type accessForger struct {
	next http.RoundTripper

	mu   sync.Mutex
	left int
	done int
}

func (f *accessForger) forge(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.left, f.done = n, 0
}

func (f *accessForger) forged() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.done
}

func (f *accessForger) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	forge := f.left != 0 && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
	if forge {
		if f.left > 0 {
			f.left--
		}
		f.done++
	}
	f.mu.Unlock()
	if forge {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer forged.token")
	}
	return f.next.RoundTrip(r)
}

// TestRunDeliversEachWriteAtOnce: with a poll interval of an hour, the loop
// still delivers a write as soon as it is made, again and again, and stops
// with its context.
func TestRunDeliversEachWriteAtOnce(t *testing.T) {
	srv := newBackendServer(t)
	delivered := make(chan string, 10)
	c := openClient(t, loggedIn(t, srv.URL(), "alice"), Options{PollInterval: time.Hour, Delivered: func(k string) { delivered <- k }})
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	runLoop(t, c)
	for i := 0; i < 3; i++ {
		if _, err := c.AddNote(t.Context(), "demo-1", "note"); err != nil {
			t.Fatal(err)
		}
		select {
		case k := <-delivered:
			if k != kindNote {
				t.Fatalf("delivered %s", k)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("write %d not delivered", i)
		}
	}
}

// TestLogoutEndsTheSession: Logout ends the session on the server (a copy
// of its refresh token is dead) and forgets the local one; after a restart,
// with only the stored refresh token, it still ends the session.
func TestLogoutEndsTheSession(t *testing.T) {
	srv := newBackendServer(t)
	for _, restarted := range []bool{false, true} {
		tokens := &backend.MemoryTokenStore{}
		be := backend.NewHTTPBackend(srv.URL(), tokens, nil)
		if err := be.Login(t.Context(), "alice", server.DemoPassword); err != nil {
			t.Fatal(err)
		}
		copied, _ := tokens.Load()
		if copied == "" {
			t.Fatal("login stored no refresh token")
		}
		if restarted {
			be = backend.NewHTTPBackend(srv.URL(), tokens, nil)
		}
		if err := be.Logout(t.Context()); err != nil {
			t.Fatal(err)
		}
		if rt, _ := tokens.Load(); rt != "" {
			t.Fatal("the refresh token is still stored")
		}
		stolen := &backend.MemoryTokenStore{}
		_ = stolen.Save(copied)
		thief := backend.NewHTTPBackend(srv.URL(), stolen, nil)
		if _, err := thief.Queues(t.Context()); !errors.Is(err, ErrLoginNeeded) {
			t.Fatalf("restarted=%v: a copy of the refresh token after logout: %v, want ErrLoginNeeded", restarted, err)
		}
	}
}
