package messages

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TestCancelHelp: the agent lowers their hand. Cancelled before anyone
// took it: the backend has it (the wallboard drops it) and the request is
// no longer open. Cancelled while the request itself is still in the
// outbox (backend down): both are dropped and the supervisors never see
// it. Taken by a supervisor before the cancel reached the backend: the
// backend refuses the cancel, the request stands, taken.
func TestCancelHelp(t *testing.T) {
	srv := newBackendServer(t)
	sam := loggedIn(t, srv.URL(), "sam")
	events := make(chan Event, 100)
	c, err := Open(filepath.Join(t.TempDir(), "msg.db"), NewHTTPBackend(loggedIn(t, srv.URL(), "alice")),
		Options{Me: "alice", Notify: func(e Event) { events <- e }, PollInterval: time.Hour, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelHelp(t.Context()); !errors.Is(err, ErrNoOpenHelp) {
		t.Fatalf("cancel with no help asked: %v", err)
	}
	run := func() (stop func()) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- c.Run(ctx) }()
		return func() { cancel(); <-done }
	}
	stop := run()
	defer func() { stop(); c.Close() }()
	openOnServer := func() []api.Message {
		t.Helper()
		var b api.LiveBoard
		if err := sam.Do(t.Context(), "GET", "/v1/live/agents", "", nil, &b); err != nil {
			t.Fatal(err)
		}
		return b.Help
	}

	h, err := c.Help(t.Context(), "Customer wants a manager")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, func(e Delivered) bool { return e.Message.ID == h.ID })
	if n := len(openOnServer()); n != 1 {
		t.Fatalf("%d open help requests on the wallboard, want 1", n)
	}
	got, err := c.CancelHelp(t.Context())
	if err != nil || got.ID != h.ID || got.CancelledAt == nil {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, ok, _ := c.OpenHelp(t.Context()); ok {
		t.Fatal("the help request is still open after the cancel")
	}
	hc := waitEvent(t, events, func(e HelpCancelled) bool { return e.Message.ID == h.ID })
	if hc.Message.CancelledAt == nil || hc.Message.Pending {
		t.Fatalf("cancelled: %+v", hc.Message)
	}
	if open := openOnServer(); len(open) != 0 {
		t.Fatalf("the wallboard still lists %+v", open)
	}

	// Backend down: the request and its cancel never leave the app.
	stop()
	srv.kill()
	h2, err := c.Help(t.Context(), "never mind")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelHelp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Pending(t.Context()); n != 0 {
		t.Fatalf("%d sends still queued after cancelling a queued help request", n)
	}
	if _, found, _ := get(t.Context(), c.st.r, h2.ID); found {
		t.Fatal("the queued help request is still listed")
	}
	srv.start()
	stop = run()

	// Taken before the cancel reached the backend: the take wins.
	h3, err := c.Help(t.Context(), "refund over my limit")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, func(e Delivered) bool { return e.Message.ID == h3.ID })
	if err := sam.Do(t.Context(), "POST", "/v1/help/"+h3.ID+"/take", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CancelHelp(t.Context()); err != nil { // not pulled yet: still open here
		t.Fatal(err)
	}
	// The refusal and the take arrive in either order (the take's wake-up
	// may pull before the cancel is sent).
	refused, taken := false, false
	for timeout := time.After(eventWait); !refused || !taken; {
		select {
		case e := <-events:
			switch e := e.(type) {
			case Refused:
				refused = refused || e.ID == h3.ID
			case HelpTaken:
				taken = taken || (e.Message.ID == h3.ID && e.Message.TakenBy == "sam")
			}
		case <-timeout:
			t.Fatalf("cancel refused %v, take seen %v", refused, taken)
		}
	}
	if open, _, _ := get(t.Context(), c.st.r, h3.ID); open.CancelledAt != nil || open.TakenBy != "sam" {
		t.Fatalf("after a refused cancel: %+v", open)
	}
}
