package server_test

import (
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// TestThreadCapUnderRace: notes written at the same moment to one ticket do
// not overshoot its cap (on PostgreSQL each counted the thread before the
// others committed, and all were added).
func TestThreadCapUnderRace(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			cfg := server.Config{Driver: "sqlite", DSN: t.TempDir() + "/race.db", MaxNotes: 3}
			if kind == "postgres" {
				cfg.Driver, cfg.DSN = "postgres", newPgDatabase(t)
			}
			srv, err := server.New(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			if err := srv.SeedDemo(t.Context()); err != nil {
				t.Fatal(err)
			}
			hs := httptest.NewServer(srv.Handler())
			t.Cleanup(hs.Close)
			alice := login(t, hs.URL, "alice")
			must(t, alice.do("POST", "/v1/tickets", api.NewTicket{ID: "race-cap", CustomerName: "R", Queue: "billing"}, newKey()), 201, nil)
			const n = 12
			rs := make([]resp, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					rs[i] = alice.do("POST", "/v1/tickets/race-cap/notes", api.NewNote{ID: fmt.Sprint("race-cap-", i), Body: "x"}, newKey())
				}()
			}
			close(start)
			wg.Wait()
			created := 0
			for i, r := range rs {
				switch {
				case r.Status == 201:
					created++
				case r.Status == 409 && r.code() == "thread_full":
				default:
					t.Errorf("note %d: %d %s", i, r.Status, r.Body)
				}
			}
			var tk api.Ticket
			must(t, alice.get("/v1/tickets/race-cap"), 200, &tk)
			if created != 3 || len(tk.Notes) != 3 {
				t.Errorf("12 notes at once on a thread capped at 3: %d created, %d in the thread", created, len(tk.Notes))
			}
		})
	}
}
