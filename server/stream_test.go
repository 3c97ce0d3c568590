package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/sse"
)

// eventWait bounds how long a test waits for a live event (a loaded
// two-core CI machine runs several server processes at once).
const eventWait = 30 * time.Second

// stream is an open GET /v1/live/stream.
type stream struct {
	t      *testing.T
	events chan sse.Event
	cancel context.CancelFunc
	status int
	// snapshot is the board of the last snapshot event read.
	snapshot *api.LiveBoard
}

// openStream connects to the live stream with a Bearer token (and
// Last-Event-ID when lastID is set); it is closed when the test ends.
func openStream(t *testing.T, base, token, lastID string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/v1/live/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &stream{t: t, events: make(chan sse.Event, 1024), cancel: cancel, status: res.StatusCode}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(s.events)
		defer res.Body.Close()
		r := sse.NewReader(res.Body)
		for {
			e, err := r.Next()
			if err != nil {
				return
			}
			s.events <- e
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return s
}

// next waits for the first event that match accepts and returns it decoded.
func (s *stream) next(match func(name string, e api.LiveEvent) bool) api.LiveEvent {
	s.t.Helper()
	timeout := time.NewTimer(eventWait)
	defer timeout.Stop()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				s.t.Fatal("the live stream ended")
			}
			var le api.LiveEvent
			if e.Name == api.LiveSnapshot {
				var b api.LiveBoard
				if err := json.Unmarshal([]byte(e.Data), &b); err != nil {
					s.t.Fatalf("snapshot %s: %v", e.Data, err)
				}
				le = api.LiveEvent{Seq: b.Seq, Kind: api.LiveSnapshot}
				s.snapshot = &b
			} else if err := json.Unmarshal([]byte(e.Data), &le); err != nil {
				s.t.Fatalf("event %s %s: %v", e.Name, e.Data, err)
			}
			if match(e.Name, le) {
				return le
			}
		case <-timeout.C:
			s.t.Fatalf("no matching live event within %v", eventWait)
		}
	}
}

// noneBefore asserts that no event match accepts arrives before a marker event
// (one the stream's owner is known to see) does.
func (s *stream) noneBefore(match func(name string, e api.LiveEvent) bool, marker func(name string, e api.LiveEvent) bool) {
	s.t.Helper()
	s.next(func(name string, e api.LiveEvent) bool {
		if match(name, e) {
			s.t.Fatalf("unexpected event %s %+v", name, e)
		}
		return marker(name, e)
	})
}

func agentIs(username string, cond func(a *api.AgentLive) bool) func(string, api.LiveEvent) bool {
	return func(name string, e api.LiveEvent) bool {
		return name == api.LiveAgent && e.Agent != nil && e.Agent.Username == username && cond(e.Agent)
	}
}
