package server_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// TestHardening runs the issue-11 defects against a real server process,
// on SQLite and PostgreSQL, with parallel clients where the defect was a race.
func TestHardening(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			t.Run("LoginLimitCountsInFlight", func(t *testing.T) { testLoginInFlight(t, p.URL) })
			t.Run("Times", func(t *testing.T) { testTimes(t, p.URL) })
			t.Run("IDs", func(t *testing.T) { testIDs(t, p.URL) })
			t.Run("SyncSnapshot", func(t *testing.T) { testSyncSnapshot(t, p.URL) })
		})
	}
}

// testLoginInFlight: parallel wrong guesses for one username are counted
// while their hashes run, so no more than LoginLimit of them reach argon2.
func testLoginInFlight(t *testing.T, base string) {
	sup := login(t, base, "sam")
	must(t, sup.do("POST", "/v1/users", api.NewUser{Username: "dave", Password: "dave-password", Role: api.RoleAgent, Queues: []string{"billing"}}, ""), 201, nil)
	const guesses = 12
	statuses := make(chan int, guesses)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < guesses; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &client{t: t, base: base}
			<-start
			statuses <- a.do("POST", "/v1/auth/login", api.Login{Username: "dave", Password: fmt.Sprintf("guess-%d", i)}, "").Status
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[401] > server.DefaultLoginLimit || count[401]+count[429] != guesses {
		t.Fatalf("%d parallel wrong logins: %v; want at most %d checked (401), the rest 429", guesses, count, server.DefaultLoginLimit)
	}
}

// testTimes: every time the API accepts is a real RFC 3339 time within a
// sane range, stored and answered in UTC; anything else is a 400, and the
// lists that show the times keep answering valid JSON.
func testTimes(t *testing.T, base string) {
	a := login(t, base, "alice")
	bad := []string{
		"2026-01-01T10:00:00+24:00", // Go parses it, JSON cannot show it
		"2026-01-01T10:00:00-24:30",
		"9999-12-31T23:00:00-23:00", // year 10000 in UTC
		"0000-01-01T00:30:00+01:00", // year -1 in UTC
		"0001-01-01T00:00:00Z",
		"1899-05-01T10:00:00Z",
		"2400-01-01T00:00:00Z",
	}
	for i, at := range bad {
		ev := fmt.Sprintf(`{"id":"t-bad-%d","kind":"state","state":"available","at":%q}`, i, at)
		if r := a.raw("POST", "/v1/agent-events", []byte(ev), map[string]string{"Idempotency-Key": newKey()}); r.Status != 400 {
			t.Errorf("agent event at %s: %d %s, want 400", at, r.Status, r.Body)
		}
		call := fmt.Sprintf(`{"call_id":"t-bad-%d","direction":"inbound","number":"+12025550100","started_at":%q,"ended_at":%q,"disposition":"resolved"}`, i, at, at)
		if r := a.raw("POST", "/v1/calls", []byte(call), map[string]string{"Idempotency-Key": newKey()}); r.Status != 400 {
			t.Errorf("call at %s: %d %s, want 400", at, r.Status, r.Body)
		}
		for _, path := range []string{"/v1/calls?from=", "/v1/shifts?to="} {
			if r := a.get(path + url.QueryEscape(at)); r.Status != 400 {
				t.Errorf("GET %s%s: %d %s, want 400", path, at, r.Status, r.Body)
			}
		}
	}
	sup := login(t, base, "sam")
	for _, day := range []string{"0000-01-01", "9999-12-31", "2026-13-01"} {
		if r := sup.get("/v1/indicators?day=" + day); r.Status != 400 {
			t.Errorf("indicators day %s: %d, want 400", day, r.Status)
		}
	}
	// An offset inside ±24 h is fine and comes back in UTC.
	ev := `{"id":"t-good-1","kind":"state","state":"available","at":"2026-03-01T10:00:00.123+23:30"}`
	var got api.AgentEvent
	must(t, a.raw("POST", "/v1/agent-events", []byte(ev), map[string]string{"Idempotency-Key": newKey()}), 201, &got)
	if want := time.Date(2026, 2, 28, 10, 30, 0, 123e6, time.UTC); !got.At.Equal(want) || got.At.Location() != time.UTC {
		t.Errorf("event at %v, want %v in UTC", got.At, want)
	}
	for _, path := range []string{"/v1/calls", "/v1/shifts?from=2026-02-27T00:00:00Z&to=2026-03-02T00:00:00Z"} {
		r := a.get(path)
		var v map[string]any
		must(t, r, 200, &v)
		if len(v) != 1 {
			t.Errorf("GET %s: %s", path, r.Body)
		}
	}
}

// testIDs: ids the router would clean (".", "..") or that cannot come back
// through a URL path are refused wherever a client chooses an id.
func testIDs(t *testing.T, base string) {
	a := login(t, base, "alice")
	for _, id := range []string{".", "..", "...", "-", "_:", ""} {
		if id != "" {
			tk := api.NewTicket{ID: id, CustomerName: "Dot", Queue: "billing"}
			if r := a.do("POST", "/v1/tickets", tk, newKey()); r.Status != 400 {
				t.Errorf("ticket id %q: %d %s, want 400", id, r.Status, r.Body)
			}
			if r := a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: id, Body: "x"}, newKey()); r.Status != 400 {
				t.Errorf("note id %q: %d %s, want 400", id, r.Status, r.Body)
			}
			ev := api.AgentEvent{ID: id, Kind: api.EventState, State: "available", At: time.Now()}
			if r := a.do("POST", "/v1/agent-events", ev, newKey()); r.Status != 400 {
				t.Errorf("event id %q: %d %s, want 400", id, r.Status, r.Body)
			}
		}
	}
	// Ids with dots that do round-trip still work.
	for _, id := range []string{"a.b", "v1.2", "x..y", ".hidden", "end."} {
		must(t, a.do("POST", "/v1/tickets", api.NewTicket{ID: id, CustomerName: "Dot", Queue: "billing"}, newKey()), 201, nil)
		var got api.Ticket
		must(t, a.get("/v1/tickets/"+url.PathEscape(id)), 200, &got)
		if got.ID != id {
			t.Errorf("ticket %q read back as %q", id, got.ID)
		}
	}
}

// testSyncSnapshot: while notes are being added, every ticket a sync page
// carries comes with its thread as of the same snapshot: never an empty
// thread for a ticket that had notes, never fewer notes than before.
func testSyncSnapshot(t *testing.T, base string) {
	sup := login(t, base, "sam")
	bob := login(t, base, "bob")
	const tickets = 8
	for i := 0; i < tickets; i++ {
		id := fmt.Sprintf("snap-%d", i)
		must(t, sup.do("POST", "/v1/tickets", api.NewTicket{ID: id, CustomerName: "Snap", Queue: "support"}, newKey()), 201, nil)
		must(t, sup.do("POST", "/v1/tickets/"+id+"/notes", api.NewNote{Body: "first"}, newKey()), 201, nil)
	}
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for w := 0; w < 3; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			c := &client{t: t, base: base, token: sup.token}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("snap-%d", (n*3+w)%tickets)
				if r := c.do("POST", "/v1/tickets/"+id+"/notes", api.NewNote{Body: "more"}, newKey()); r.Status != 201 {
					t.Errorf("note: %d %s", r.Status, r.Body)
					return
				}
			}
		}()
	}
	defer writers.Wait()
	defer close(stop)
	seen := map[string]int{}
	for round := 0; round < 150 && !t.Failed(); round++ {
		var page api.SyncPage
		must(t, bob.get("/v1/sync?limit=1000"), 200, &page)
		for _, tk := range page.Tickets {
			if !strings.HasPrefix(tk.ID, "snap-") {
				continue
			}
			if len(tk.Notes) == 0 || len(tk.Notes) < seen[tk.ID] {
				t.Fatalf("round %d: ticket %s (seq %d) came with %d notes, had %d before", round, tk.ID, tk.Seq, len(tk.Notes), seen[tk.ID])
			}
			seen[tk.ID] = len(tk.Notes)
		}
	}
}
