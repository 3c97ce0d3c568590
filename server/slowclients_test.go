package server_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// TestStreamLimits: one account cannot open live streams without end (each
// holds memory, a goroutine and a descriptor): past DefaultStreamsPerUser
// the next is refused with 429 and a message, other accounts are not
// affected, and a closed stream frees its slot.
func TestStreamLimits(t *testing.T) {
	p := startServer(t, "sqlite")
	alice := login(t, p.URL, "alice")
	var cancels []context.CancelFunc
	for i := 0; i < server.DefaultStreamsPerUser; i++ {
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		if s := openRaw(t, ctx, p.URL, alice.token); s != 200 {
			t.Fatalf("stream %d: %d", i, s)
		}
		cancels = append(cancels, cancel)
	}
	r := alice.get("/v1/live/stream")
	if r.Status != 429 || r.code() != "too_many_streams" {
		t.Fatalf("stream %d: %d %s, want 429 too_many_streams", server.DefaultStreamsPerUser+1, r.Status, r.Body)
	}
	bob := login(t, p.URL, "bob")
	ctx, cancel := context.WithCancel(t.Context())
	if s := openRaw(t, ctx, p.URL, bob.token); s != 200 {
		t.Fatalf("another account's stream: %d", s)
	}
	cancel()
	// Closing one frees a slot (once the server sees the connection go).
	cancels[0]()
	retryUntil(t, func() resp {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		return resp{Status: openRaw(t, ctx, p.URL, alice.token)}
	}, func(r resp) bool { return r.Status == 200 })
}

// openRaw opens a stream and returns its status; it stays open until ctx ends.
func openRaw(t *testing.T, ctx context.Context, base, token string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/live/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		res.Body.Close()
	} else {
		go func() { <-ctx.Done(); res.Body.Close() }()
	}
	return res.StatusCode
}

// TestSlowClients: a client that sends its headers a byte at a time is cut
// off by the header timeout; a supervisor's stream that is never read does
// not hold up the live events of another supervisor.
func TestSlowClients(t *testing.T) {
	p := startServer(t, "sqlite")
	host := strings.TrimPrefix(p.URL, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	go func() {
		fmt.Fprint(conn, "GET /v1/health HTTP/1.1\r\nHost: x\r\n")
		for i := 0; ; i++ {
			if _, err := conn.Write([]byte{'a' + byte(i%26)}); err != nil {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	for err == nil {
		_, err = bufio.NewReader(conn).ReadString('\n')
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("a client trickling its headers is still connected after %v", time.Since(start))
	}
	t.Logf("slow headers cut after %v", time.Since(start).Round(time.Millisecond))

	// A stream nobody reads, with a tiny receive window.
	sam := login(t, p.URL, "sam")
	d := net.Dialer{Control: nil}
	slow, err := d.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	_ = slow.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(slow, "GET /v1/live/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", sam.token)
	good := openStream(t, p.URL, sam.token, "")
	good.next(func(name string, _ api.LiveEvent) bool { return name == api.LiveSnapshot })
	alice := login(t, p.URL, "alice")
	const changes = 300
	for i := 0; i < changes; i++ {
		st := api.LiveStatus{At: time.Now(), State: "not_ready", Reason: fmt.Sprintf("reason %d %s", i, strings.Repeat("x", 200)),
			StateSince: time.Now()}
		if r := alice.do("PUT", "/v1/live/status", st, ""); r.Status != 204 {
			t.Fatalf("status %d: %d %s", i, r.Status, r.Body)
		}
	}
	last := fmt.Sprintf("reason %d ", changes-1)
	good.next(agentIs("alice", func(a *api.AgentLive) bool { return strings.HasPrefix(a.Reason, last) }))
}
