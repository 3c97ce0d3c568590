package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
)

// benchServer is an in-process server behind a real 127.0.0.1 listener,
// seeded with demo data and n tickets in queue billing.
func benchServer(b *testing.B, kind string, n int) (*server.Server, string) {
	b.Helper()
	cfg := server.Config{Driver: "sqlite", DSN: b.TempDir() + "/bench.db", LoginLimit: 1000}
	if kind == "postgres" {
		if pgErr != nil {
			b.Skipf("PostgreSQL: %v", pgErr)
		}
		dsn, err := pg.NewDatabase(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		cfg.Driver, cfg.DSN = "postgres", dsn
	}
	srv, err := server.New(b.Context(), cfg)
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
	return srv, hs.URL
}

// BenchmarkLookupByPhone: one screen-pop through the HTTP API, 10 000 tickets.
func BenchmarkLookupByPhone(b *testing.B) {
	_, url := benchServer(b, "sqlite", 10000)
	tok := benchLogin(b, http.DefaultClient, url, server.DemoAgent)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		st, _ := benchDo(http.DefaultClient, "GET", fmt.Sprintf("%s/v1/tickets?phone=%%2B1202555%04d", url, i%10000), tok, nil, "")
		if st != 200 {
			b.Fatalf("lookup: %d", st)
		}
	}
}

// BenchmarkConcurrentAgents100 simulates 100 agents on one server, each
// doing opsPerAgent requests: 50% screen-pop lookups, 20% delta sync, 20%
// notes, 10% call logs (writes with idempotency keys). It reports request
// latency percentiles over all requests.
//
// "paced": each agent pauses a random (exponential) think time of mean
// 200 ms between requests, about 500 requests/s offered: still hundreds of
// times busier than real agents, who send a request every few seconds.
// "saturated": no pause at all, 100 requests always in flight; latency is
// then queueing (Little's law: mean = 100 / throughput) and the figure that
// matters is req/s.
func BenchmarkConcurrentAgents100(b *testing.B) {
	for _, kind := range backends {
		b.Run(kind+"/paced", func(b *testing.B) { benchAgents(b, kind, 100, 40, 200*time.Millisecond) })
		b.Run(kind+"/saturated", func(b *testing.B) { benchAgents(b, kind, 100, 40, 0) })
	}
}

func benchAgents(b *testing.B, kind string, agents, opsPerAgent int, think time.Duration) {
	srv, url := benchServer(b, kind, 10000)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: agents * 2, MaxIdleConnsPerHost: agents * 2}}
	toks := make([]string, agents)
	for i := range toks {
		name := fmt.Sprintf("agent%03d", i)
		if _, err := srv.Store().CreateUser(b.Context(), api.NewUser{Username: name, Password: server.DemoPassword, Role: api.RoleAgent, Queues: []string{"billing"}}); err != nil {
			b.Fatal(err)
		}
		toks[i] = benchLogin(b, hc, url, name)
	}
	var all []time.Duration
	var allMu sync.Mutex
	seq := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		seq++
		var wg sync.WaitGroup
		errs := make(chan error, agents)
		for a := 0; a < agents; a++ {
			wg.Add(1)
			go func(a int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(a), uint64(seq)))
				lat := make([]time.Duration, 0, opsPerAgent)
				cursor := "9990"
				for op := 0; op < opsPerAgent; op++ {
					if think > 0 {
						time.Sleep(time.Duration(rng.ExpFloat64() * float64(think)))
					}
					t0 := time.Now()
					var st int
					var err error
					ticket := fmt.Sprintf("load-%d", rng.IntN(10000))
					switch r := rng.IntN(10); {
					case r < 5:
						st, err = benchDo(hc, "GET", fmt.Sprintf("%s/v1/tickets?phone=%%2B1202555%04d", url, rng.IntN(10000)), toks[a], nil, "")
					case r < 7:
						st, err = benchDo(hc, "GET", url+"/v1/sync?limit=100&cursor="+cursor, toks[a], nil, "")
					case r < 9:
						st, err = benchDo(hc, "POST", url+"/v1/tickets/"+ticket+"/notes", toks[a],
							map[string]string{"body": "bench note"}, fmt.Sprintf("n-%d-%d-%d", seq, a, op))
					default:
						now := time.Now().UTC()
						ans := now.Add(-3 * time.Minute)
						st, err = benchDo(hc, "POST", url+"/v1/calls", toks[a], map[string]any{
							"call_id": fmt.Sprintf("c-%d-%d-%d", seq, a, op), "direction": "inbound", "number": "+12025550100",
							"started_at": now.Add(-4 * time.Minute), "answered_at": ans, "ended_at": now, "disposition": "resolved",
							"ticket_id": ticket, "note": "wrap-up", "quality": map[string]any{"codec": "opus", "loss_pct": 0.1, "jitter_ms": 5, "mos": 4.3},
						}, fmt.Sprintf("c-%d-%d-%d", seq, a, op))
					}
					if err != nil || st >= 300 {
						errs <- fmt.Errorf("agent %d op %d: status %d %v", a, op, st, err)
						return
					}
					lat = append(lat, time.Since(t0))
				}
				allMu.Lock()
				all = append(all, lat...)
				allMu.Unlock()
			}(a)
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(all[len(all)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
}

func benchLogin(b *testing.B, hc *http.Client, url, user string) string {
	b.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": server.DemoPassword})
	res, err := hc.Post(url+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var tp struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tp); err != nil || tp.AccessToken == "" {
		b.Fatalf("login %s: %d %v", user, res.StatusCode, err)
	}
	return tp.AccessToken
}

func benchDo(hc *http.Client, method, url, tok string, in any, key string) (int, error) {
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var sink json.RawMessage
	_ = json.NewDecoder(res.Body).Decode(&sink)
	return res.StatusCode, nil
}
