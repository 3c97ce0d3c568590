package demo

import (
	"context"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// fast makes the demo's far end act within milliseconds.
var fast = Timing{
	FirstCall:    time.Millisecond,
	CallEvery:    time.Millisecond,
	RingFor:      time.Hour,
	AnswerAfter:  time.Millisecond,
	TalkFor:      30 * time.Millisecond,
	QualityEvery: 5 * time.Millisecond,
	QuietRoom:    200 * time.Millisecond,
}

// next returns the next event of type T, skipping others; the deadline only
// guards against a hung demo.
func next[T ui.Event](t *testing.T, d *Demo) T {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-d.Events():
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

func TestDemoShift(t *testing.T) {
	d := New(fast, 1)
	t.Cleanup(func() { _ = d.Close() })
	be := d.Backend()
	ctx := context.Background()

	report, err := be.Checker.Run(ctx, nil)
	if err != nil || !report.CanStart {
		t.Fatalf("demo check: %+v %v", report, err)
	}
	acc, _, _ := be.Config.Load()
	acc.Password, _ = be.Secrets.Get(ui.SecretSIPPassword)
	if err := be.Phone.Register(ctx, acc); err != nil {
		t.Fatal(err)
	}
	if err := be.Shift.ClockIn(ctx, report, ""); err != nil {
		t.Fatal(err)
	}
	d.Start()

	in := next[ui.IncomingCall](t, d)
	tickets, err := be.Tickets.LookupByPhone(ctx, in.Call.Remote)
	if err != nil {
		t.Fatal(err)
	}
	if in.Call.Display == "" {
		t.Fatalf("incoming call without a name: %+v", in.Call)
	}
	if err := be.Phone.Answer(ctx, in.Call.ID); err != nil {
		t.Fatal(err)
	}
	if st := next[ui.ShiftStateChanged](t, d); st.Status.State != ui.StateOnCall {
		t.Fatalf("state after answer = %v", st.Status.State)
	}
	if err := be.Phone.Hold(ctx, in.Call.ID, true); err != nil {
		t.Fatal(err)
	}
	if q := next[ui.QualityUpdated](t, d); q.Quality.MOS == 0 || q.CallID != in.Call.ID {
		t.Fatalf("quality = %+v", q)
	}
	closed := next[ui.CallClosed](t, d)
	if closed.CallID != in.Call.ID || closed.By != "remote" {
		t.Fatalf("closed = %+v", closed)
	}
	if st := next[ui.ShiftStateChanged](t, d); st.Status.State != ui.StateWrapUp {
		t.Fatalf("state after the call = %v", st.Status.State)
	}
	log := ui.CallLog{CallID: in.Call.ID, Remote: in.Call.Remote, Disposition: "resolved", CreateTicket: len(tickets) == 0}
	if len(tickets) > 0 {
		log.TicketID = tickets[0].ID
	}
	if _, err := be.Tickets.LogCall(ctx, log); err != nil {
		t.Fatal(err)
	}
	if logs := d.Logs(); len(logs) != 1 || logs[0].Disposition != "resolved" || logs[0].TicketID == "" {
		t.Fatalf("logs = %+v", logs)
	}
	sum, err := be.Shift.ClockOut(ctx)
	if err != nil || sum.Calls != 1 || sum.Talk <= 0 {
		t.Fatalf("summary = %+v %v", sum, err)
	}
}

func TestDemoOutgoingBusy(t *testing.T) {
	d := New(fast, 2)
	t.Cleanup(func() { _ = d.Close() })
	be := d.Backend()
	ctx := context.Background()
	if _, err := be.Phone.Dial(ctx, "+15550100"); err == nil {
		t.Fatal("dialling before registering must fail with a reason")
	}
	_ = be.Phone.Register(ctx, ui.Account{Password: "demo"})
	call, err := be.Phone.Dial(ctx, "+15550486")
	if err != nil {
		t.Fatal(err)
	}
	if c := next[ui.CallClosed](t, d); c.CallID != call.ID || c.Reason != errBusy.Error() {
		t.Fatalf("closed = %+v, want busy", c)
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	d := New(fast, 3)
	d.Start()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
