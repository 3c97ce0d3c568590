package tickets

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/server"
)

// benchBackend is an in-process reference server on 127.0.0.1 (real HTTP
// over TCP) with the demo data plus n tickets in alice's queue, and an
// backend.HTTPBackend logged in as alice.
func benchBackend(b *testing.B, n int) *backend.HTTPBackend {
	b.Helper()
	srv, err := server.New(b.Context(), server.Config{Driver: "sqlite", DSN: filepath.Join(b.TempDir(), "server.db")})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	if err := srv.SeedDemo(b.Context()); err != nil {
		b.Fatal(err)
	}
	if err := srv.SeedTickets(b.Context(), "billing", "load", n); err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	b.Cleanup(hs.Close)
	be := backend.NewHTTPBackend(hs.URL, &backend.MemoryTokenStore{}, nil)
	if err := be.Login(b.Context(), server.DemoAgent, server.DemoPassword); err != nil {
		b.Fatal(err)
	}
	return be
}

// BenchmarkFirstSync10000: a new install pulls 10 000 tickets (pages of
// DefaultPageSize) into an empty local cache. One op = the whole first sync.
func BenchmarkFirstSync10000(b *testing.B) {
	const n = 10000
	be := benchBackend(b, n)
	i := 0
	for b.Loop() {
		i++
		c, err := Open(filepath.Join(b.TempDir(), fmt.Sprintf("c%d.db", i)), be, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.SyncOnce(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var got int
		if err := c.st.r.QueryRow(`SELECT COUNT(*) FROM tickets`).Scan(&got); err != nil || got < n {
			b.Fatalf("cached %d tickets, want >= %d (%v)", got, n, err)
		}
		c.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "tickets/op")
}

// BenchmarkLookupByPhoneLocal: the screen-pop from the local cache of 10 000
// tickets (what the agent waits for when a call rings; no network).
func BenchmarkLookupByPhoneLocal(b *testing.B) {
	be := benchBackend(b, 10000)
	c, err := Open(filepath.Join(b.TempDir(), "c.db"), be, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.SyncOnce(b.Context()); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		ts, err := c.LookupByPhone(b.Context(), fmt.Sprintf("+1 202 555 %04d", i%10000))
		if err != nil || len(ts) != 1 {
			b.Fatalf("lookup: %d tickets, %v", len(ts), err)
		}
	}
}
