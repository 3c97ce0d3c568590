package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// BenchmarkAttackSoak runs a real server process (SQLite) under a mix of
// attacks for HOMESHORE_SOAK (default 60 s) while an agent works normally:
// 200 connections trickling their headers, 40 bodies sent a byte a second
// (20 declared under the size limit, 20 over), wrong passwords from 20
// addresses, one account churning live streams at its cap, hostile bodies
// (NUL, duplicate keys, deep nesting, 70 KiB). It
// reports the agent's latency (sync, note, live status) and errors, the
// server's peak memory and threads at the end, and how long the server
// held a slow body before cutting it (and how many it never cut).
// Run: go test ./server -run '^$' -bench AttackSoak -benchtime 1x
// (HOMESHORE_SOAK at most 14m: the agent's access token lasts 15 minutes).
func BenchmarkAttackSoak(b *testing.B) {
	dur := 60 * time.Second
	if v := os.Getenv("HOMESHORE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		dur = d
	}
	if dur > 14*time.Minute {
		b.Fatalf("HOMESHORE_SOAK=%v: at most 14m (the agent's access token expires after 15 minutes)", dur)
	}
	o := servertest.Options{DBPath: b.TempDir() + "/soak.db", Args: []string{"--demo", "--monitor-key", b.TempDir() + "/k"}}
	p := servertest.StartProcess(b, serverBin, o)
	host := strings.TrimPrefix(p.URL, "http://")
	// Both accounts log in before the flood (the wrong passwords below
	// close alice's logins, as they should).
	aliceTok := soakLogin(b, p.URL, "alice")
	bobTok := soakLogin(b, p.URL, "bob")
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var wg sync.WaitGroup
	var attacks atomic.Int64
	loop := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				f()
			}
		}()
	}
	// Slow headers.
	for i := 0; i < 200; i++ {
		loop(func() {
			c, err := net.Dial("tcp", host)
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprint(c, "GET /v1/health HTTP/1.1\r\nHost: x\r\n")
			for ctx.Err() == nil {
				if _, err := c.Write([]byte("X")); err != nil {
					return
				}
				attacks.Add(1)
				sleepCtx(ctx, time.Second)
			}
		})
	}
	// Slow bodies: how long does the server hold one? Half declare 60 000
	// bytes (under the limit: read until the read timeout), half 100 000
	// (over it: refused from the headers).
	held := map[int][]time.Duration{}
	var heldMu sync.Mutex
	var uncut atomic.Int64
	for i := 0; i < 40; i++ {
		size := []int{60000, 100000}[i%2]
		loop(func() {
			c, err := net.Dial("tcp", host)
			if err != nil {
				return
			}
			defer c.Close()
			fmt.Fprintf(c, "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
			start := time.Now()
			for ctx.Err() == nil {
				if _, err := c.Write([]byte(" ")); err != nil {
					break
				}
				attacks.Add(1)
				sleepCtx(ctx, time.Second)
			}
			if ctx.Err() == nil {
				heldMu.Lock()
				held[size] = append(held[size], time.Since(start))
				heldMu.Unlock()
			} else if time.Since(start) > 45*time.Second {
				uncut.Add(1) // open past the 30 s read timeout
			}
		})
	}
	// Wrong passwords from 20 addresses.
	for i := 0; i < 20; i++ {
		c := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{DialContext: (&net.Dialer{
			LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.0.5.%d", i+1))}}).DialContext}}
		loop(func() {
			body := fmt.Sprintf(`{"username":"alice","password":"guess-%d"}`, attacks.Add(1))
			req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/v1/auth/login", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if res, err := c.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	// Stream churn at the cap.
	for i := 0; i < server.DefaultStreamsPerUser+4; i++ {
		loop(func() {
			sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
			defer scancel()
			req, _ := http.NewRequestWithContext(sctx, "GET", p.URL+"/v1/live/stream", nil)
			req.Header.Set("Authorization", "Bearer "+bobTok)
			if res, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			attacks.Add(1)
		})
	}
	// Hostile bodies.
	hostileBodies := []string{`{"body":"a\u0000b"}`, `{"body":"a","body":"b"}`, strings.Repeat("[", 5000), `{"body":"` + strings.Repeat("x", 70<<10) + `"}`}
	for i := 0; i < 4; i++ {
		loop(func() {
			req, _ := http.NewRequestWithContext(ctx, "POST", p.URL+"/v1/tickets/demo-2/notes", strings.NewReader(hostileBodies[attacks.Add(1)%4]))
			req.Header.Set("Authorization", "Bearer "+bobTok)
			req.Header.Set("Idempotency-Key", fmt.Sprint(time.Now().UnixNano()))
			if res, err := http.DefaultClient.Do(req); err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}

	// The agent at work, through it all, on her queue's two tickets (a
	// thread holds 2000 notes).
	var lat []time.Duration
	errs := 0
	cl := &http.Client{Timeout: 30 * time.Second}
	for i := 0; ctx.Err() == nil; i++ {
		var req *http.Request
		switch i % 3 {
		case 0:
			req, _ = http.NewRequest("GET", p.URL+"/v1/sync?limit=100", nil)
		case 1:
			req, _ = http.NewRequest("POST", p.URL+[]string{"/v1/tickets/demo-1/notes", "/v1/tickets/demo-3/notes"}[i/3%2],
				bytes.NewReader(mustJSON(api.NewNote{Body: fmt.Sprint("soak ", i)})))
			req.Header.Set("Idempotency-Key", fmt.Sprint("soak-", i))
		default:
			req, _ = http.NewRequest("PUT", p.URL+"/v1/live/status", bytes.NewReader(mustJSON(api.LiveStatus{At: time.Now(), State: "available",
				StateSince: time.Now()})))
		}
		req.Header.Set("Authorization", "Bearer "+aliceTok)
		start := time.Now()
		res, err := cl.Do(req)
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		lat = append(lat, time.Since(start))
		if err != nil || res.StatusCode >= 300 {
			errs++
		}
		sleepCtx(ctx, 100*time.Millisecond)
	}
	cancel()
	wg.Wait()
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
	maxHeld := func(size int) time.Duration {
		m := time.Duration(0)
		for _, h := range held[size] {
			m = max(m, h)
		}
		return m
	}
	rss, threads := procStatus(p.PID())
	b.ReportMetric(pct(0.5), "agent-p50-ms")
	b.ReportMetric(pct(0.99), "agent-p99-ms")
	b.ReportMetric(float64(errs), "agent-errors")
	b.ReportMetric(float64(rss>>20), "peak-MiB")
	b.ReportMetric(float64(threads), "threads")
	b.ReportMetric(maxHeld(60000).Seconds(), "slow-body-held-s")
	b.ReportMetric(maxHeld(100000).Seconds(), "big-body-held-s")
	b.ReportMetric(float64(uncut.Load()), "slow-bodies-uncut")
	b.Logf("%v under attack: %d agent requests (%d failed), p50 %.1f ms p99 %.1f ms; %d attack steps; server peak %d MiB, %d threads; slow body held at most %v (%d cut, %d never), over-limit body at most %v (%d cut)",
		dur, len(lat), errs, pct(0.5), pct(0.99), attacks.Load(), rss>>20, threads, maxHeld(60000).Round(time.Second), len(held[60000]), uncut.Load(),
		maxHeld(100000).Round(time.Second), len(held[100000]))
	if errs > 0 {
		b.Errorf("the agent's requests failed %d times under attack", errs)
	}
	if uncut.Load() > 0 {
		b.Errorf("%d slow bodies held past the read timeout", uncut.Load())
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func soakLogin(b *testing.B, base, user string) string {
	res, err := http.Post(base+"/v1/auth/login", "application/json", bytes.NewReader(mustJSON(api.Login{Username: user, Password: server.DemoPassword})))
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	var tp api.TokenPair
	if err := jsonDecodeReader(res.Body, &tp); err != nil || tp.AccessToken == "" {
		b.Fatalf("login %s: %d %v", user, res.StatusCode, err)
	}
	return tp.AccessToken
}

func jsonDecodeReader(r io.Reader, v any) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return jsonDecode(b, v)
}

// procStatus reads a process's peak resident memory and thread count.
func procStatus(pid int) (peak int64, threads int) {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
		switch k {
		case "VmHWM":
			fmt.Sscan(v, &peak)
			peak <<= 10
		case "Threads":
			fmt.Sscan(v, &threads)
		}
	}
	return peak, threads
}
