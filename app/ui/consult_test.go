package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// Attended transfer: consult with the caller on hold, swap, then complete;
// the transferred call gets its outcome and the consultation is logged with it.
func TestAttendedTransfer(t *testing.T) {
	f := newFake().configured()
	f.consult = true
	c := onShift(t, f, "en")
	establishedCall(c, f)
	p := c.home.call
	test.Type(p.target, "2002")
	test.Tap(p.consultBtn)
	if !f.called("consult in-1 2002") || c.held == nil || !c.held.onHold || c.call.info.ID != "consult-1" {
		t.Fatalf("consult: calls %v", f.calls)
	}
	if p.target.Text != "" {
		t.Fatal("the transfer field clears once the consultation is placed")
	}
	if b := findButton(p.legs, c.tr.T("call.transfer.complete")); b == nil || !b.Disabled() {
		t.Fatal("Complete waits until the consulted party answers")
	}
	c.handle(CallEstablished{Call: CallInfo{ID: "consult-1", Answered: c.now()}})
	test.Tap(findButton(p.legs, c.tr.T("call.swap")))
	if !f.called("hold consult-1 on") || !f.called("hold in-1 off") || c.call.info.ID != "in-1" {
		t.Fatalf("swap: calls %v", f.calls)
	}
	test.Tap(findButton(p.legs, c.tr.T("call.swap")))
	if c.call.info.ID != "consult-1" {
		t.Fatal("swap back")
	}
	test.Tap(findButton(p.legs, c.tr.T("call.transfer.complete")))
	if !f.called("complete in-1 consult-1") {
		t.Fatalf("complete: calls %v", f.calls)
	}
	f.advance(time.Second)
	c.handle(CallClosed{CallID: "consult-1", By: "remote"})
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	w := c.wrap
	if w.call == nil || w.call.info.ID != "in-1" || w.disposition.Selected != c.tr.T("disposition.transferred") {
		t.Fatalf("wrap-up after the transfer: %+v", w.call)
	}
	test.Tap(w.save)
	if len(f.logs) != 2 || f.logs[0].TransferredTo != "2002" || f.logs[1].CallID != "consult-1" || f.logs[1].Disposition != "transferred" {
		t.Fatalf("logs = %+v", f.logs)
	}
}

// Conference: merge the consultation, drop one leg, the other goes on.
func TestConferenceMergeAndDrop(t *testing.T) {
	f := newFake().configured()
	f.consult = true
	c := onShift(t, f, "en")
	establishedCall(c, f)
	p := c.home.call
	test.Type(p.target, "2002")
	test.Tap(p.consultBtn)
	c.handle(CallEstablished{Call: CallInfo{ID: "consult-1", Answered: c.now()}})
	test.Tap(findButton(p.legs, c.tr.T("call.merge")))
	if !f.called("conference in-1 consult-1") || !c.conference || c.held.onHold {
		t.Fatalf("merge: calls %v", f.calls)
	}
	drops := 0
	for _, o := range p.legs.Objects {
		if findButton(o, c.tr.T("call.drop")) != nil {
			drops++
		}
	}
	if drops != 2 {
		t.Fatalf("a conference shows each party with Drop; got %d", drops)
	}
	test.Tap(findButton(p.legs.Objects[2], c.tr.T("call.drop")))
	if !f.called("hangup in-1") {
		t.Fatalf("drop: calls %v", f.calls)
	}
	c.handle(CallClosed{CallID: "in-1", By: "local"})
	if c.call == nil || c.call.info.ID != "consult-1" || c.conference {
		t.Fatal("the other party stays on the line")
	}
}

// Without the calls engineer's API the controls are not offered.
func TestNoConsultWithoutTheAPI(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	establishedCall(c, f)
	if findButton(c.home.call.active, c.tr.T("call.consult")) != nil {
		t.Fatal("Consult shown without a Consulter")
	}
}

// TestAttendedTransferSaysWhatHappens: Complete transfer said nothing until
// the transfer ended (the caller's phone has to call the colleague) and a
// failure read as a bare error. Now it says "Transferring to 2002…", that
// it rings, and a failure says the caller is still on hold.
func TestAttendedTransferSaysWhatHappens(t *testing.T) {
	f := newFake().configured()
	f.consult = true
	c := onShift(t, f, "en")
	establishedCall(c, f)
	p := c.home.call
	test.Type(p.target, "2002")
	test.Tap(p.consultBtn)
	c.handle(CallEstablished{Call: CallInfo{ID: "consult-1", Answered: c.now()}})
	var ringing string
	f.duringComplete = func() {
		c.handle(TransferUpdated{CallID: "in-1", State: TransferRinging})
		ringing = p.notice.Text
	}
	f.completeErr = errors.New("486 Busy Here")
	test.Tap(findButton(p.legs, c.tr.T("call.transfer.complete")))
	if want := c.tr.T("call.transfer.ringing", "2002"); ringing != want {
		t.Fatalf("while the colleague's phone rings: %q, want %q", ringing, want)
	}
	if got, want := p.notice.Text, c.tr.T("call.transfer.failed", "2002", "486 Busy Here"); got != want || c.held == nil {
		t.Fatalf("failed transfer: %q, want %q; caller kept %v", got, want, c.held != nil)
	}
}

// TestTransferDoneBeforeTheCallEnds: with the real core the caller's call
// ends (and its wrap-up opens) before Complete transfer returns, and the
// wrap-up did not say "Transferred". The TransferDone event, which comes
// first, marks the call.
func TestTransferDoneBeforeTheCallEnds(t *testing.T) {
	f := newFake().configured()
	f.consult = true
	c := onShift(t, f, "en")
	establishedCall(c, f)
	p := c.home.call
	test.Type(p.target, "2002")
	test.Tap(p.consultBtn)
	c.handle(CallEstablished{Call: CallInfo{ID: "consult-1", Answered: c.now()}})
	f.duringComplete = func() {
		c.handle(TransferUpdated{CallID: "in-1", State: TransferDone})
		c.handle(CallClosed{CallID: "consult-1", By: "remote"})
		c.handle(CallClosed{CallID: "in-1", By: "local"})
	}
	test.Tap(findButton(p.legs, c.tr.T("call.transfer.complete")))
	if w := c.wrap; w.call == nil || w.call.transferredTo != "2002" || w.disposition.Selected != c.tr.T("disposition.transferred") {
		t.Fatalf("wrap-up of the transferred call: %+v, outcome %q", w.call, w.disposition.Selected)
	}
}
