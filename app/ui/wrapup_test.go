package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// answeredCall runs a call from ring to close.
func answeredCall(c *Controller, f *fake, talk time.Duration) {
	incoming(c)
	test.Tap(c.home.call.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	f.advance(talk)
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
}

func TestWrapUpSavesDisposition(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	answeredCall(c, f, 3*time.Minute)
	w := c.wrap
	if c.home.panel.Objects[0] != w.root {
		t.Fatal("a finished call must open wrap-up")
	}
	test.Tap(w.save)
	if len(f.logs) != 0 || w.message.Text != c.tr.T("wrap.disposition.need") {
		t.Fatalf("saving without a disposition: logs %v message %q", f.logs, w.message.Text)
	}
	w.disposition.SetSelected(c.tr.T("disposition.callback"))
	test.Type(w.note, "Box reboots at 2am; call back Friday")
	test.Tap(w.save)
	if len(f.logs) != 1 {
		t.Fatalf("logs = %d, want 1", len(f.logs))
	}
	got := f.logs[0]
	if got.Disposition != "callback" || got.TicketID != "1042" || got.End.Sub(got.Answered) != 3*time.Minute ||
		got.Note != "Box reboots at 2am; call back Friday" || got.Remote != "+33612345678" {
		t.Fatalf("log = %+v", got)
	}
	if !f.called("endwrapup callback") {
		t.Fatalf("calls = %v, want the wrap-up ended with its disposition", f.calls)
	}
	if c.home.panel.Objects[0] != c.home.idle {
		t.Fatal("after wrap-up the main panel returns to recent calls")
	}
}

func TestWrapUpTimesOutToAvailable(t *testing.T) {
	f := newFake().configured()
	f.settings.WrapUpSeconds = 30
	c := onShift(t, f, "en")
	answeredCall(c, f, time.Minute)
	f.advance(10 * time.Second)
	c.tick()
	if len(f.logs) != 0 || c.wrap.countdown.Text != c.tr.T("wrap.countdown", "Available", 20) {
		t.Fatalf("countdown = %q", c.wrap.countdown.Text)
	}
	f.advance(21 * time.Second)
	c.tick()
	if len(f.logs) != 1 || f.logs[0].Disposition != DispositionNone || !f.called("endwrapup no_disposition") {
		t.Fatalf("after the wrap-up time: logs %+v calls %v", f.logs, f.calls)
	}
}

func TestWrapUpKeepsNoteWhenLoggingFails(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	answeredCall(c, f, time.Minute)
	f.logErr = errors.New("backend unreachable")
	c.wrap.disposition.SetSelected("Resolved")
	test.Type(c.wrap.note, "important")
	test.Tap(c.wrap.save)
	if c.wrap.note.Text != "important" || c.wrap.save.Disabled() || c.home.panel.Objects[0] != c.wrap.root {
		t.Fatal("a failed save must keep the form and allow a retry")
	}
	f.logErr = nil
	test.Tap(c.wrap.retry)
	if len(f.logs) != 1 || f.logs[0].Note != "important" {
		t.Fatalf("retry: logs %+v", f.logs)
	}
}

func TestLanguageSwitchKeepsCallAndWrapUp(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	incoming(c)
	test.Tap(c.home.call.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	if err := c.setLanguage("fr"); err != nil {
		t.Fatal(err)
	}
	if c.home.panel.Objects[0] != c.home.call.active || c.home.call.hangup.Text != "Raccrocher" {
		t.Fatal("a language change during a call must keep the call controls")
	}
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	c.wrap.disposition.SetSelected("Résolu")
	c.wrap.note.SetText("half-typed note")
	c.wrap.ticket.SetSelectedIndex(1)
	if err := c.setLanguage("en"); err != nil {
		t.Fatal(err)
	}
	w := c.wrap
	if c.home.panel.Objects[0] != w.root || w.note.Text != "half-typed note" || w.disposition.Selected != "Resolved" ||
		w.ticket.Selected != "Create a new ticket" {
		t.Fatalf("wrap-up after a language change: note %q disposition %q ticket %q", w.note.Text, w.disposition.Selected, w.ticket.Selected)
	}
	test.Tap(w.save)
	if len(f.logs) != 1 || !f.logs[0].CreateTicket || f.logs[0].Note != "half-typed note" {
		t.Fatalf("logs = %+v", f.logs)
	}
}
