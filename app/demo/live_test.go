package demo

import (
	"context"
	"github.com/homeshore/homeshore/server/servertest"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// TestLiveDemoCall: on the real core, a simulated customer (a SIP user agent
// on loopback) calls the Available agent with the screen-pop tickets of her
// number, talks, hangs up; the wrap-up reaches the embedded ticket server.
func TestLiveDemoCall(t *testing.T) {
	timing := Timing{FirstCall: 10 * time.Millisecond, CallEvery: time.Hour, RingFor: 10 * time.Second,
		AnswerAfter: 10 * time.Millisecond, TalkFor: 1500 * time.Millisecond}
	l, err := StartLive(timing, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	be := l.Backend()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	if acc.Password, err = be.Secrets.Get(ui.SecretSIPPassword); err != nil {
		t.Fatalf("the demo account has no password: the GUI would open first-run setup: %v", err)
	}
	if err := l.Core().SyncTickets(ctx); err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.ClockIn(ctx, ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	if err := be.Phone.Register(ctx, acc); err != nil {
		t.Fatal(err)
	}
	in := nextLive[ui.IncomingCall](t, be)
	if in.Call.Remote != "+33612345678" {
		t.Fatalf("call from %q, want Claire's number", in.Call.Remote)
	}
	tks, err := be.Tickets.LookupByPhone(ctx, in.Call.Remote)
	if err != nil || len(tks) == 0 {
		t.Fatalf("screen-pop %v, %v: want Claire's tickets", tks, err)
	}
	if err := be.Phone.Answer(ctx, in.Call.ID); err != nil {
		t.Fatal(err)
	}
	nextLive[ui.CallEstablished](t, be)
	closed := nextLive[ui.CallClosed](t, be)
	if closed.By != "remote" {
		t.Fatalf("closed %+v, want the customer to hang up", closed)
	}
	q := ui.Quality{}
	_, err = be.Tickets.LogCall(ctx, ui.CallLog{CallID: in.Call.ID, Remote: in.Call.Remote, Direction: ui.Inbound,
		Start: in.Call.Started, Answered: in.Call.Started, End: time.Now(), Disposition: "resolved", Quality: q})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Core().SyncTickets(ctx); err != nil {
		t.Fatal(err)
	}
	calls := servertest.AgentCalls(t, acc.BackendURL)
	if len(calls) != 1 || calls[0].Disposition != "resolved" || calls[0].Number != "+33612345678" || calls[0].Quality.Codec == "" {
		t.Fatalf("server calls %+v: want Claire's call, resolved, with the call's quality", calls)
	}
}

func nextLive[T ui.Event](t *testing.T, be ui.Backend) T {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case ev := <-be.Events.Events():
			if e, ok := ev.(T); ok {
				return e
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T event", zero)
			return zero
		}
	}
}

// TestLiveDemoFirstCallAfterStartShift: the first call came 2 s after
// Start shift, whenever the customers' loop happened to wake. It now comes
// FirstCall after the agent goes Available, never before.
func TestLiveDemoFirstCallAfterStartShift(t *testing.T) {
	const first = 1500 * time.Millisecond
	l, err := StartLive(Timing{FirstCall: first, CallEvery: time.Hour, RingFor: 5 * time.Second,
		AnswerAfter: 10 * time.Millisecond, TalkFor: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	be := l.Backend()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	acc, _, _ := be.Config.Load()
	acc.Password, _ = be.Secrets.Get(ui.SecretSIPPassword)
	if err := be.Phone.Register(ctx, acc); err != nil {
		t.Fatal(err)
	}
	// Registered but not on shift: nobody calls.
	select {
	case ev := <-be.Events.Events():
		if in, ok := ev.(ui.IncomingCall); ok {
			t.Fatalf("a call before the shift started: %+v", in)
		}
	case <-time.After(first):
	}
	start := time.Now()
	if err := be.Shift.ClockIn(ctx, ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	in := nextLive[ui.IncomingCall](t, be)
	if waited := time.Since(start); waited < first {
		t.Fatalf("the first call came %v after Start shift, want at least %v", waited, first)
	}
	if err := be.Phone.Reject(ctx, in.Call.ID); err != nil {
		t.Fatal(err)
	}
}

// TestLiveDemoInFrench: a demo shown in French has its tickets (subjects,
// notes) and its customers in French, the screen-pop included; in English
// they stay English.
func TestLiveDemoInFrench(t *testing.T) {
	for _, c := range []struct{ lang, subject, note, customer string }{
		{"fr", "Facture débitée deux fois", "Cliente rappelée lundi ; remboursement demandé à la comptabilité.", "Julien Moreau"},
		{"en", "Invoice shows a double charge", "Customer called on Monday; refund requested from finance.", "John Smith"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			l, err := StartLiveIn(Timing{FirstCall: time.Hour, CallEvery: time.Hour, RingFor: time.Second}, nil, c.lang)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := l.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := l.Core().SyncTickets(ctx); err != nil {
				t.Fatal(err)
			}
			found, err := l.Backend().Tickets.LookupByPhone(ctx, "+33612345678")
			if err != nil || len(found) == 0 {
				t.Fatalf("screen-pop for Claire: %+v %v", found, err)
			}
			var first ui.Ticket
			for _, tk := range found {
				if tk.ID == "demo-1" {
					first = tk
				}
			}
			if first.Subject != c.subject {
				t.Fatalf("screen-pop subject %q, want %q", first.Subject, c.subject)
			}
			full, err := l.Backend().Tickets.Ticket(ctx, "demo-1")
			if err != nil || len(full.Notes) == 0 || full.Notes[0].Body != c.note {
				t.Fatalf("thread %+v %v, want the note %q", full.Notes, err, c.note)
			}
			if got := l.liveCustomers()[1].name; got != c.customer {
				t.Fatalf("second caller %q, want %q", got, c.customer)
			}
		})
	}
}
