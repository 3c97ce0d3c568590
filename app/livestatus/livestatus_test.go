package livestatus_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/livestatus"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
	"github.com/homeshore/homeshore/server/sse"
)

const eventWait = 30 * time.Second

func loggedIn(t *testing.T, url, user string) *backend.HTTPBackend {
	t.Helper()
	b := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := b.Login(t.Context(), user, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

// board follows the supervisor's live stream and hands over alice's states.
func board(t *testing.T, sam *backend.HTTPBackend) <-chan api.AgentLive {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	body, err := sam.Stream(ctx, "/v1/live/stream", "")
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan api.AgentLive, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer body.Close()
		r := sse.NewReader(body)
		for {
			e, err := r.Next()
			if err != nil {
				return
			}
			var le api.LiveEvent
			if e.Name == api.LiveAgent && json.Unmarshal([]byte(e.Data), &le) == nil && le.Agent.Username == "alice" {
				out <- *le.Agent
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return out
}

func until(t *testing.T, ch <-chan api.AgentLive, cond func(api.AgentLive) bool) api.AgentLive {
	t.Helper()
	timeout := time.After(eventWait)
	for {
		select {
		case a := <-ch:
			if cond(a) {
				return a
			}
		case <-timeout:
			t.Fatalf("the wallboard never showed the expected state within %v", eventWait)
		}
	}
}

// TestReporterOnTheWallboard: the reporter's states, call and quality reach
// the supervisor's live stream; quality updates are coalesced.
func TestReporterOnTheWallboard(t *testing.T) {
	url := servertest.StartDemo(t)
	states := board(t, loggedIn(t, url, "sam"))
	sends := make(chan api.LiveStatus, 100)
	r := livestatus.New(livestatus.NewHTTPSender(loggedIn(t, url, "alice")), livestatus.Options{QualityEvery: 300 * time.Millisecond,
		Sent: func(st api.LiveStatus) { sends <- st }})
	stop := run(t, r)

	until(t, states, func(a api.AgentLive) bool { return a.Connected && a.State == api.StateOffline })
	now := time.Now()
	r.SetState(api.StateAvailable, "", now)
	r.SetSIPURI("sip:alice@127.0.0.1:5080")
	until(t, states, func(a api.AgentLive) bool {
		return a.State == api.StateAvailable && a.SIPURI == "sip:alice@127.0.0.1:5080"
	})
	answered := now.Add(2 * time.Second)
	r.SetCall(&api.LiveCall{ID: "c1@pbx", Direction: api.Inbound, Number: "+33612345678", StartedAt: now, AnsweredAt: &answered})
	r.SetState(api.StateOnCall, "", answered)
	until(t, states, func(a api.AgentLive) bool {
		return a.State == api.StateOnCall && a.Call != nil && a.Call.ID == "c1@pbx"
	})
	for i := 1; i <= 20; i++ {
		r.SetQuality("c1@pbx", api.CallQuality{Codec: "opus", MOS: 4 + float64(i)/100, JitterMs: float64(i)})
	}
	a := until(t, states, func(a api.AgentLive) bool { return a.Call != nil && a.Call.Quality != nil && a.Call.Quality.MOS == 4.2 })
	if a.Call.Quality.JitterMs != 20 {
		t.Fatalf("quality %+v", a.Call.Quality)
	}
	r.SetCall(nil)
	r.SetState(api.StateWrapUp, "", time.Now())
	until(t, states, func(a api.AgentLive) bool { return a.State == api.StateWrapUp && a.Call == nil })
	stop()
	n := len(sends)
	t.Logf("%d statuses sent", n)
	if n > 12 {
		t.Fatalf("%d statuses sent for 4 changes and 20 quality updates", n)
	}
}

// TestReporterRetriesAfterOutage: while the backend is down the reporter
// backs off; once back, it sends the newest state, not the ones between.
func TestReporterRetriesAfterOutage(t *testing.T) {
	url := servertest.StartDemo(t)
	alice := loggedIn(t, url, "alice")
	down := make(chan struct{})
	flaky := senderFunc(func(ctx context.Context, st api.LiveStatus) error {
		select {
		case <-down:
			return livestatus.NewHTTPSender(alice).SendStatus(ctx, st)
		default:
			return &tickets.StatusError{Status: http.StatusBadGateway, Message: "down"}
		}
	})
	sends := make(chan api.LiveStatus, 100)
	r := livestatus.New(flaky, livestatus.Options{MinBackoff: 20 * time.Millisecond, MaxBackoff: 50 * time.Millisecond,
		Sent: func(st api.LiveStatus) { sends <- st }})
	run(t, r)
	r.SetState(api.StateAvailable, "", time.Now())
	r.SetState(api.StateBreak, "", time.Now())
	r.SetState(api.StateNotReady, "training", time.Now())
	close(down)
	select {
	case st := <-sends:
		if st.State != api.StateNotReady || st.Reason != "training" {
			t.Fatalf("first status after the outage: %+v", st)
		}
	case <-time.After(eventWait):
		t.Fatal("nothing sent after the backend came back")
	}
}

// run starts the reporter until the returned stop (or the test's end).
func run(t *testing.T, r *livestatus.Reporter) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

type senderFunc func(context.Context, api.LiveStatus) error

func (f senderFunc) SendStatus(ctx context.Context, st api.LiveStatus) error { return f(ctx, st) }

// TestReporterWaitingCallAndLine: a call ringing during another is sent as
// waiting beside it, never in its place, and the current call keeps its
// quality; the phone line's state goes out at once, its time in UTC.
func TestReporterWaitingCallAndLine(t *testing.T) {
	sent := make(chan api.LiveStatus, 10)
	r := livestatus.New(senderFunc(func(_ context.Context, st api.LiveStatus) error { sent <- st; return nil }), livestatus.Options{})
	now := time.Now()
	first := &api.LiveCall{ID: "c1@pbx", Direction: api.Inbound, Number: "+33612345678", StartedAt: now, AnsweredAt: &now}
	r.SetCalls(first, nil)
	r.SetQuality("c1@pbx", api.CallQuality{Codec: "opus", MOS: 4.3})
	second := &api.LiveCall{ID: "c2@pbx", Direction: api.Inbound, Number: "+33698765432", StartedAt: now.Add(time.Minute)}
	r.SetCalls(first, second)
	down := now.In(time.FixedZone("CET", 3600))
	r.SetLine(api.LiveLine{State: api.LineReconnecting, Since: &down, Detail: "no answer from the SIP server"})
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	st := <-sent
	if st.Call == nil || st.Call.ID != "c1@pbx" || st.Call.Quality == nil || st.Call.Quality.MOS != 4.3 {
		t.Fatalf("current call %+v: want c1 with its quality", st.Call)
	}
	if st.Waiting == nil || st.Waiting.ID != "c2@pbx" {
		t.Fatalf("waiting call %+v: want c2", st.Waiting)
	}
	if st.Line == nil || st.Line.State != api.LineReconnecting || st.Line.Since.Location() != time.UTC || !st.Line.Since.Equal(now) {
		t.Fatalf("line %+v", st.Line)
	}
	// The agent answers the waiting call (the first goes on hold): it is
	// the current one now, with no quality of its own yet.
	r.SetCalls(second, nil)
	if err := r.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := <-sent; st.Call == nil || st.Call.ID != "c2@pbx" || st.Call.Quality != nil || st.Waiting != nil {
		t.Fatalf("after answering the waiting call: call %+v waiting %+v", st.Call, st.Waiting)
	}
}
