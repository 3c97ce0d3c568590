package livebench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/consoletest"
	"github.com/homeshore/homeshore/server/servertest"
	"github.com/homeshore/homeshore/server/sse"
)

// Load shape, overridable from the environment (bench/live.sh).
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func envDur(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// clockTicks is USER_HZ: /proc/PID/stat counts CPU time in 1/100 s.
const clockTicks = 100

// cpuTicks reads a process's user+system CPU time in ticks.
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s, nil
}

func rssMiB(pid int) float64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

type client struct {
	hc    *http.Client
	base  string
	token string
}

func (c *client) do(method, path, key string, in, out any) error {
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d", method, path, res.StatusCode)
	}
	if out != nil {
		return json.NewDecoder(res.Body).Decode(out)
	}
	return nil
}

func (c *client) login(user string) error {
	var tp api.TokenPair
	if err := c.do("POST", "/v1/auth/login", "", api.Login{Username: user, Password: server.DemoPassword}, &tp); err != nil {
		return err
	}
	c.token = tp.AccessToken
	return nil
}

var states = []string{api.StateAvailable, api.StateOnCall, api.StateWrapUp, api.StateAvailable, api.StateNotReady, api.StateBreak}

// BenchmarkWallboard: BENCH_AGENTS (200) agents change state every
// BENCH_EVERY (3 s, ±50 %) for BENCH_DURATION (60 s) after a 10 s warm-up;
// each change is an agent event (as the app's outbox sends it) and a live
// status. The supervisor's console shows the wallboard in headless
// Chromium; a stream opened in the same page stamps each agent event on
// arrival, and its latency is arrival minus state_since (same clock).
// BENCH_DB=postgres runs on PostgreSQL; BENCH_REPLICAS=2 then runs two
// server processes, agents on one and the supervisor on the other.
func BenchmarkWallboard(b *testing.B) {
	agents, every := envInt("BENCH_AGENTS", 200), envDur("BENCH_EVERY", 3*time.Second)
	duration, warm := envDur("BENCH_DURATION", 60*time.Second), envDur("BENCH_WARMUP", 10*time.Second)
	dbKind, replicas := os.Getenv("BENCH_DB"), envInt("BENCH_REPLICAS", 1)
	dir := b.TempDir()
	bin, err := servertest.BuildServer(dir)
	if err != nil {
		b.Fatal(err)
	}
	opts := servertest.Options{DBPath: dir + "/live.db", Args: []string{"--demo", "--monitor-key", dir + "/key"}}
	if dbKind == "postgres" {
		pg, err := servertest.StartPostgres()
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pg.Stop)
		if opts.PgDSN, err = pg.NewDatabase(context.Background()); err != nil {
			b.Fatal(err)
		}
	} else if replicas > 1 {
		b.Fatal("BENCH_REPLICAS > 1 needs BENCH_DB=postgres")
	}
	procs := []*servertest.Process{servertest.StartProcess(b, bin, opts)}
	for len(procs) < replicas {
		procs = append(procs, servertest.StartProcess(b, bin, opts))
	}
	agentURL, supURL := procs[0].URL, procs[len(procs)-1].URL
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: agents + 10}, Timeout: 30 * time.Second}
	sam := &client{hc: hc, base: agentURL}
	if err := sam.login("sam"); err != nil {
		b.Fatal(err)
	}
	cls := make([]*client, agents)
	for i := range cls {
		user := fmt.Sprintf("agent%03d", i)
		q := []string{"billing", "support"}[i%2]
		if err := sam.do("POST", "/v1/users", "", api.NewUser{Username: user, DisplayName: fmt.Sprintf("Agent %03d", i),
			Password: server.DemoPassword, Role: api.RoleAgent, Queues: []string{q}}, nil); err != nil {
			b.Fatal(err)
		}
		cls[i] = &client{hc: hc, base: agentURL}
		if err := cls[i].login(user); err != nil {
			b.Fatal(err)
		}
	}

	ctx := consoletest.Browser(b, 1280, 900)
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		c, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := chromedp.Do(c, steps...); err != nil {
			b.Fatal(err)
		}
	}
	run(chromedp.Navigate(supURL+"/console/?lang=en"), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SetValue(chromedp.ID("login-user"), "sam"), chromedp.SetValue(chromedp.ID("login-pass"), server.DemoPassword),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.CSS(`#wallboard tr[data-agent="agent000"]`)),
		chromedp.Evaluate[chromedp.Void](`window.lat = []; window.measure = false;
const es = new EventSource('/v1/live/stream');
es.addEventListener('agent', (e) => {
  const now = Date.now();
  const a = JSON.parse(e.data).agent;
  if (window.measure && a.state_since) window.lat.push(now - Date.parse(a.state_since));
});`))

	// The same stream read by a Go client: the server's share of the latency.
	var goLat []float64
	var goMu sync.Mutex
	var measuring atomic.Bool
	streamCtx, stopStream := context.WithCancel(context.Background())
	defer stopStream()
	req, _ := http.NewRequestWithContext(streamCtx, "GET", supURL+"/v1/live/stream", nil)
	req.Header.Set("Authorization", "Bearer "+sam.token)
	res, err := (&http.Client{}).Do(req)
	if err != nil {
		b.Fatal(err)
	}
	go func() {
		defer res.Body.Close()
		r := sse.NewReader(res.Body)
		for {
			e, err := r.Next()
			if err != nil {
				return
			}
			now := time.Now()
			var le api.LiveEvent
			if e.Name != api.LiveAgent || !measuring.Load() || json.Unmarshal([]byte(e.Data), &le) != nil || le.Agent.StateSince == nil {
				continue
			}
			goMu.Lock()
			goLat = append(goLat, float64(now.Sub(*le.Agent.StateSince).Microseconds())/1000)
			goMu.Unlock()
		}
	}()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var changes, failures atomic.Int64
	for i, c := range cls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			t := time.NewTimer(time.Duration(r.Int64N(int64(every))))
			defer t.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				now := time.Now().UTC()
				st := states[(n+i)%len(states)]
				ev := api.AgentEvent{ID: fmt.Sprintf("b%d-%d", i, n), Kind: api.EventState, State: st, At: now}
				if n == 0 {
					ev.Kind, ev.State, ev.Precheck = api.EventClockIn, api.StateAvailable, &api.Precheck{Passed: true}
				}
				err1 := c.do("POST", "/v1/agent-events", ev.ID, ev, nil)
				err2 := c.do("PUT", "/v1/live/status", "", api.LiveStatus{At: now, State: ev.State, StateSince: now}, nil)
				if err1 != nil || err2 != nil {
					failures.Add(1)
				} else {
					changes.Add(1)
				}
				t.Reset(every/2 + time.Duration(r.Int64N(int64(every))))
			}
		}()
	}
	time.Sleep(warm) // warm-up: every agent clocked in, the page caught up
	run(chromedp.Evaluate[chromedp.Void](`window.lat = []; window.measure = true;`))
	measuring.Store(true)
	cpu0 := make([]int64, len(procs))
	for i, p := range procs {
		cpu0[i], _ = cpuTicks(p.PID())
	}
	changes.Store(0)
	t0 := time.Now()
	b.ResetTimer()
	time.Sleep(duration) // the measured window
	elapsed := time.Since(t0)
	b.StopTimer()
	var cpuPct []float64
	for i, p := range procs {
		c1, _ := cpuTicks(p.PID())
		cpuPct = append(cpuPct, float64(c1-cpu0[i])/clockTicks/elapsed.Seconds()*100)
	}
	n := changes.Load()
	close(stop)
	wg.Wait()
	c, cancel := context.WithTimeout(ctx, time.Minute)
	lat, err := chromedp.Run(c, chromedp.Evaluate[[]float64](`window.lat`))
	cancel()
	if err != nil {
		b.Fatal(err)
	}
	rendered, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#wallboard tbody tr').length`))
	measuring.Store(false)
	goMu.Lock()
	slices.Sort(goLat)
	goMu.Unlock()
	slices.Sort(lat)
	pctOf := func(l []float64, p float64) float64 {
		if len(l) == 0 {
			return 0
		}
		return l[min(len(l)-1, int(p*float64(len(l))))]
	}
	pct := func(p float64) float64 { return pctOf(lat, p) }
	b.ReportMetric(float64(n)/elapsed.Seconds(), "changes/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(lat[len(lat)-1], "max-ms")
	b.ReportMetric(pctOf(goLat, 0.99), "server-p99-ms")
	for i, c := range cpuPct {
		b.ReportMetric(c, fmt.Sprintf("cpu%d-%%", i))
		b.ReportMetric(rssMiB(procs[i].PID()), fmt.Sprintf("rss%d-MiB", i))
	}
	b.Logf("%d agents, %d state changes in %v (%d failed), %d events seen in the browser, %d rows on the wallboard; browser latency p50 %.0f p95 %.0f p99 %.0f max %.0f ms; Go stream client (server only) p50 %.1f p99 %.1f max %.1f ms over %d events; server CPU %v %% of one core",
		agents, n, elapsed.Round(time.Second), failures.Load(), len(lat), rendered, pct(0.5), pct(0.95), pct(0.99), lat[len(lat)-1],
		pctOf(goLat, 0.5), pctOf(goLat, 0.99), pctOf(goLat, 1), len(goLat), cpuPct)
	if failures.Load() > 0 {
		b.Errorf("%d state changes failed", failures.Load())
	}
}
