package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// A call placed while Not ready ("Technical problem") used to show "Not
// ready:" without the reason, offer "Save and go Available" and make the
// agent Available. The header shows the machine's state with its reason and
// where the agent goes next; wrap-up goes back there unless the agent picks.
func TestCallWhileNotReadyKeepsTheState(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.home.choose(c.tr.T("state.notready.reason", c.tr.T("reason.tech")))
	if !f.called("state tech") {
		t.Fatalf("calls = %v", f.calls)
	}
	since := f.clock()
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: "tech", Since: since}})
	if got := c.home.state.label.Text; got != "Not ready: Technical problem" {
		t.Fatalf("state = %q", got)
	}
	f.advance(75 * time.Second)
	c.tick()
	if got := c.home.stateTime.Text; got != "1:15" {
		t.Fatalf("time in state = %q, want 1:15", got)
	}
	test.Type(c.home.number, "0612345678")
	test.Tap(c.home.dialBtn)
	then := &NextState{State: StateNotReady, Reason: "tech"}
	c.handle(CallEstablished{Call: CallInfo{ID: "out-1", Answered: c.now()}})
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateOnCall, Since: c.now(), Then: then}})
	if c.home.state.label.Text != "On call" || c.home.then.Text != "then Not ready: Technical problem" {
		t.Fatalf("on the call: %q %q", c.home.state.label.Text, c.home.then.Text)
	}
	f.advance(time.Minute)
	c.handle(CallClosed{CallID: "out-1", By: "remote"})
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateWrapUp, Since: c.now(), Then: then}})
	w := c.wrap
	if w.next.Selected != "Back to Not ready: Technical problem" {
		t.Fatalf("afterwards = %q", w.next.Selected)
	}
	if !strings.HasPrefix(w.countdown.Text, "Not ready: Technical problem in ") || strings.Contains(w.save.Text, "Available") {
		t.Fatalf("countdown %q, save %q: the wrap-up must not promise Available", w.countdown.Text, w.save.Text)
	}
	w.disposition.SetSelected(c.tr.T("disposition.resolved"))
	test.Tap(w.save)
	if !f.called("endwrapup resolved") || len(f.logs) != 1 || f.logs[0].Direction != Outbound {
		t.Fatalf("calls %v logs %+v: want the call logged and the wrap-up ended with no other choice", f.calls, f.logs)
	}
	// Picking another state is the agent's choice, passed on.
	answeredCall(c, f, time.Minute)
	c.wrap.disposition.SetSelected(c.tr.T("disposition.resolved"))
	c.wrap.next.SetSelected(c.tr.T("state.break.reason", c.tr.T("reason.lunch")))
	test.Tap(c.wrap.save)
	if !f.called("endwrapup resolved -> 6 lunch") {
		t.Fatalf("calls = %v, want Break (lunch) after the wrap-up", f.calls)
	}
}

// "Create a new ticket" always failed. The ticket is prefilled from the
// call, in the agent's queue (a picker when there are several), and the
// agent is told where the call went.
func TestWrapUpNewTicketPrefilled(t *testing.T) {
	f := newFake().configured()
	f.queues = []string{"billing", "support"}
	c := onShift(t, f, "en")
	c.handle(IncomingCall{Call: CallInfo{ID: "in-9", Direction: Inbound, Remote: "+33698765432", Display: "Sophie Bernard", Started: c.now()}})
	test.Tap(c.home.call.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-9", Answered: c.now()}})
	c.handle(CallClosed{CallID: "in-9", By: "remote"})
	w := c.wrap
	if w.ticket.Selected != c.tr.T("wrap.ticket.none") || w.newTicketShown() {
		t.Fatalf("ticket choice %q for a caller without tickets", w.ticket.Selected)
	}
	w.ticket.SetSelected(c.tr.T("wrap.ticket.new"))
	if !w.newTicketShown() || w.customer.Text != "Sophie Bernard" || len(w.queue.Options) != 2 || w.queue.Selected != "billing" {
		t.Fatalf("new ticket form: visible %v customer %q queues %v selected %q", w.newTicketShown(), w.customer.Text, w.queue.Options, w.queue.Selected)
	}
	w.queue.SetSelected("support")
	w.disposition.SetSelected(c.tr.T("disposition.callback"))
	test.Tap(w.save)
	if len(f.logs) != 1 || !f.logs[0].CreateTicket || f.logs[0].CustomerName != "Sophie Bernard" || f.logs[0].Queue != "support" {
		t.Fatalf("logs = %+v", f.logs)
	}
	if got := c.home.recentBox.Subtitle; got != "Saved to ticket #2001." {
		t.Fatalf("confirmation = %q", got)
	}
	if r := c.recent[len(c.recent)-1]; r.Disposition != "callback" || r.Name != "Sophie Bernard" {
		t.Fatalf("recent = %+v", r)
	}
	if !strings.Contains(c.home.recentLine(c.recent[len(c.recent)-1]), "Callback scheduled") {
		t.Fatalf("recent line %q lacks the outcome", c.home.recentLine(c.recent[len(c.recent)-1]))
	}
}

// A failing save says what to do, keeps everything, pauses the countdown,
// and offers Retry and Save without ticket.
func TestWrapUpFailureNeverDeadEnds(t *testing.T) {
	f := newFake().configured()
	f.settings.WrapUpSeconds = 30
	f.createErr = errors.New("ticket server unreachable")
	c := onShift(t, f, "en")
	answeredCall(c, f, time.Minute)
	w := c.wrap
	w.ticket.SetSelected(c.tr.T("wrap.ticket.new"))
	w.disposition.SetSelected(c.tr.T("disposition.resolved"))
	test.Type(w.note, "keep me")
	test.Tap(w.save)
	if !strings.Contains(w.message.Text, "ticket server unreachable") || !w.retry.Visible() || !w.noTicket.Visible() {
		t.Fatalf("message %q retry %v no-ticket %v", w.message.Text, w.retry.Visible(), w.noTicket.Visible())
	}
	f.advance(time.Minute)
	c.tick()
	if len(f.logs) != 0 || c.home.panel.Objects[0] != w.root || w.countdown.Text != c.tr.T("wrap.paused") {
		t.Fatalf("the countdown must wait while a save fails: logs %v countdown %q", f.logs, w.countdown.Text)
	}
	test.Tap(w.retry)
	if len(f.logs) != 0 {
		t.Fatal("a retry that fails again saved something")
	}
	test.Tap(w.noTicket)
	if len(f.logs) != 1 || f.logs[0].CreateTicket || f.logs[0].Note != "keep me" || !f.called("endwrapup resolved") {
		t.Fatalf("save without ticket: logs %+v calls %v", f.logs, f.calls)
	}

	// No queue at all: said at once, with the way on.
	f.queues = nil
	answeredCall(c, f, time.Minute)
	c.wrap.ticket.SetSelected(c.tr.T("wrap.ticket.new"))
	c.wrap.disposition.SetSelected(c.tr.T("disposition.resolved"))
	test.Tap(c.wrap.save)
	if c.wrap.message.Text != c.tr.T("wrap.ticket.noqueue") || !c.wrap.noTicket.Visible() {
		t.Fatalf("no queue: %q", c.wrap.message.Text)
	}
}

// The transfer field used to keep the previous call's number, "abc!!" said
// "type a number first", and nothing confirmed a transfer.
func TestTransferFieldAndConfirmation(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	establishedCall(c, f)
	p := c.home.call
	test.Type(p.target, "abc!!")
	test.Tap(p.transferBtn)
	if p.notice.Text != c.tr.T("call.transfer.invalid", "abc!!") || f.called("transfer abc!!") {
		t.Fatalf("invalid target: %q", p.notice.Text)
	}
	p.target.SetText("")
	test.Tap(p.transferBtn)
	if p.notice.Text != c.tr.T("call.transfer.empty") {
		t.Fatalf("empty target: %q", p.notice.Text)
	}
	test.Type(p.target, "2001")
	test.Tap(p.transferBtn)
	if !f.called("transfer 2001") || p.notice.Text != "Transferred to 2001" {
		t.Fatalf("calls %v notice %q", f.calls, p.notice.Text)
	}
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	w := c.wrap
	if w.disposition.Selected != c.tr.T("disposition.transferred") {
		t.Fatalf("disposition of a transferred call = %q", w.disposition.Selected)
	}
	test.Tap(w.save)
	if len(f.logs) != 1 || f.logs[0].Disposition != "transferred" || f.logs[0].TransferredTo != "2001" {
		t.Fatalf("logs = %+v", f.logs)
	}
	if !strings.Contains(c.home.recentLine(c.recent[len(c.recent)-1]), "→ 2001") {
		t.Fatal("the recent list must mark the transfer")
	}
	incoming(c)
	if p.target.Text != "" || p.notice.Text != "" {
		t.Fatalf("the next call starts with %q in the transfer field", p.target.Text)
	}
}

// The screen-pop showed id, subject and a raw "[open]"; no notes, rows did
// nothing, an empty list said nothing useful.
func TestScreenPopShowsTicketsAndOpensThread(t *testing.T) {
	f := newFake().configured()
	f.tickets["+33612345678"][0].Notes = []Note{{Author: "Alice Agent", Body: "Box replaced.", At: f.clock().Add(-time.Hour)}}
	f.tickets["+33612345678"][0].UpdatedBy = "Sam Supervisor"
	c := onShift(t, f, "fr")
	incoming(c)
	pop := c.home.call.pop
	row := pop.list.CreateItem()
	pop.list.UpdateItem(0, row)
	rows := row.(*fyne.Container).Objects
	if got := rows[1].(*widget.Label).Text; !strings.Contains(got, "Ouvert") || !strings.Contains(got, "par Alice Agent") {
		t.Fatalf("meta = %q: want the French status and the note's author as last writer", got)
	}
	if got := rows[2].(*widget.Label).Text; got != "Alice Agent : Box replaced." {
		t.Fatalf("last note = %q", got)
	}
	pop.list.Select(0)
	tv := c.ticket
	if len(c.dialogs) != 1 || tv == nil || tv.id != "1042" || len(tv.thread.Objects) != 1 {
		t.Fatal("selecting a ticket must open its thread")
	}
	if c.win.Canvas().Focused() != tv.note {
		t.Fatal("the note field of the thread takes the cursor")
	}
	typeText(c, "Customer confirms the reboot")
	test.Tap(tv.add)
	if !f.called("note 1042 Customer confirms the reboot") || len(tv.thread.Objects) != 2 || tv.note.Text != "" {
		t.Fatalf("add a note during the call: calls %v", f.calls)
	}
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	c.handle(IncomingCall{Call: CallInfo{ID: "in-2", Direction: Inbound, Remote: "+33700000000", Started: c.now()}})
	if pop.title.Text != "Aucun ticket pour ce numéro." {
		t.Fatalf("empty screen-pop says %q", pop.title.Text)
	}
}

// Ringing used to be a small label; a missed call an unhighlighted line.
func TestRingingPanelAndMissedCallBadge(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	test.AssertNotificationSent(t, fyne.NewNotification("Incoming call", "Claire Martin +33612345678"), func() { incoming(c) })
	p := c.home.call
	if c.home.panel.Objects[0] != p.incoming || p.caller.Text != "Claire Martin" || p.number.Text != "+33612345678" {
		t.Fatalf("ringing panel: %q %q", p.caller.Text, p.number.Text)
	}
	f.advance(7 * time.Second)
	c.tick()
	if p.ringTitle.Text != "Incoming call — ringing 0:07" {
		t.Fatalf("ring timer = %q", p.ringTitle.Text)
	}
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	if !c.home.missed.Visible() || c.home.missed.Text != "1 missed" || !c.recent[0].Missed {
		t.Fatalf("missed badge %v %q recent %+v", c.home.missed.Visible(), c.home.missed.Text, c.recent)
	}
	if len(f.logs) != 1 || f.logs[0].Disposition != DispositionMissed || !f.logs[0].Answered.IsZero() {
		t.Fatalf("the missed call must be logged: %+v", f.logs)
	}
	test.Tap(c.home.missed)
	if c.home.missed.Visible() {
		t.Fatal("the badge stays until the agent has seen the list")
	}
	incoming(c)
	test.Tap(c.home.call.reject)
	c.handle(CallClosed{CallID: "in-1", By: "local"})
	if r := c.recent[len(c.recent)-1]; !r.Rejected || r.Missed || c.home.missed.Visible() {
		t.Fatalf("a declined call: %+v", r)
	}
	if f.logs[len(f.logs)-1].Disposition != DispositionRejected {
		t.Fatalf("declined call logged as %+v", f.logs[len(f.logs)-1])
	}
}

// A call rang behind the End-shift dialog and was dropped unseen.
func TestIncomingCallClosesDialogs(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.confirmEndShift()
	if len(c.dialogs) != 1 || c.win.Canvas().Overlays().Top() == nil {
		t.Fatal("End shift must ask first")
	}
	incoming(c)
	if len(c.dialogs) != 0 || c.win.Canvas().Overlays().Top() != nil {
		t.Fatal("an incoming call must not ring behind a dialog")
	}
	c.endShift()
	if f.called("clockout") {
		t.Fatal("the shift ended under a ringing call")
	}
}

// Hold: a hold timer, Resume with a play icon; mute with a microphone icon;
// the call timer starts at the answer, not while ringing.
func TestHoldMuteIconsAndTimers(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	test.Type(c.home.number, "0155550123")
	test.Tap(c.home.dialBtn)
	p := c.home.call
	f.advance(10 * time.Second)
	c.tick()
	if p.timer.Text != "Calling… 0:10" {
		t.Fatalf("timer while ringing out = %q", p.timer.Text)
	}
	c.handle(CallEstablished{Call: CallInfo{ID: "out-1", Answered: c.now()}})
	if p.timer.Text != "0:00" {
		t.Fatalf("timer at answer = %q", p.timer.Text)
	}
	if p.mute.Icon != iconMic {
		t.Fatal("Mute shows a microphone")
	}
	test.Tap(p.mute)
	if p.mute.Icon != iconMicOff || p.mute.Text != "Unmute" {
		t.Fatal("muted: a crossed microphone and Unmute")
	}
	test.Tap(p.hold)
	if p.hold.Text != "Resume" || p.hold.Icon != theme.MediaPlayIcon() {
		t.Fatalf("on hold: %q", p.hold.Text)
	}
	f.advance(5 * time.Second)
	c.tick()
	if p.timer.Text != "On hold 0:05" {
		t.Fatalf("hold timer = %q", p.timer.Text)
	}
}

// A second call while on a call is shown; Answer holds the first.
func TestCallWaiting(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	establishedCall(c, f)
	c.handle(IncomingCall{Call: CallInfo{ID: "in-2", Direction: Inbound, Remote: "+15551234567", Display: "John Miller", Started: c.now()}})
	p := c.home.call
	if c.waiting == nil || len(p.wait.Objects) == 0 || c.home.panel.Objects[0] != p.active {
		t.Fatal("a call waiting must show beside the call in progress")
	}
	press(c, fyne.KeyA, shortcutModifier)
	if !f.called("hold in-1 on") || !f.called("answer in-2") {
		t.Fatalf("calls = %v: answering must hold the first call", f.calls)
	}
	c.handle(CallEstablished{Call: CallInfo{ID: "in-2", Answered: c.now()}})
	if c.call.info.ID != "in-2" || c.held == nil || c.held.info.ID != "in-1" || len(p.legs.Objects) == 0 {
		t.Fatal("the answered call is on, the first one held beside it")
	}
	c.handle(CallClosed{CallID: "in-2", By: "remote"})
	if c.call == nil || c.call.info.ID != "in-1" || c.wrap.call == nil {
		t.Fatal("when the second call ends, the first is back and the second waits for its wrap-up")
	}
	// Decline a waiting call.
	c.handle(IncomingCall{Call: CallInfo{ID: "in-3", Direction: Inbound, Remote: "+15551234567", Started: c.now()}})
	test.Tap(findButton(p.wait, c.tr.T("call.reject")))
	if !f.called("reject in-3") {
		t.Fatalf("calls = %v", f.calls)
	}
}

// The summary adds missed and declined calls, AHT and outcomes.
func TestSummaryAddsMissedAHTAndOutcomes(t *testing.T) {
	f := newFake().configured()
	start := f.clock()
	f.summary = ShiftSummary{Start: start, End: start.Add(8 * time.Hour), Calls: 3, Missed: 2, Rejected: 1, Talk: 12 * time.Minute,
		AverageHandle: 5*time.Minute + 10*time.Second, Dispositions: map[string]int{"resolved": 2, "transferred": 1}}
	c := onShift(t, f, "fr")
	c.endShift()
	v := c.summary
	if v.missed.Text != "2" || v.rejected.Text != "1" || v.aht.Text != "5:10" {
		t.Fatalf("missed %q rejected %q aht %q", v.missed.Text, v.rejected.Text, v.aht.Text)
	}
	if v.dispositions.Items[0].Widget.(*widget.Label).Text != "2" || v.dispositions.Items[0].Text != "Résolu" || v.dispositions.Items[1].Text != "Transféré" {
		t.Fatalf("outcomes = %q %q", v.dispositions.Items[0].Text, v.dispositions.Items[1].Text)
	}
}

// Codec boxes were all unchecked although opus was used.
func TestSettingsShowCodecsInUse(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	v := newSettingsView(c)
	if strings.Join(v.codecs.Selected, ",") != "opus,pcmu,pcma" {
		t.Fatalf("codecs shown = %v, want the ones in use", v.codecs.Selected)
	}
}

// After the headset is lost mid-shift, the alert offers the check again,
// and a passing check takes the agent back to work (not a new clock-in).
func TestDeviceLostThenBackToWork(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: "headset_missing", Since: c.now()}})
	c.handle(DeviceLost{Device: "Jabra Evolve 30", Message: Text{Key: "check.guard.headset_unplugged"}})
	if !c.frame.recheck.Visible() || c.home.state.label.Text != "Not ready: Headset unplugged" {
		t.Fatalf("alert button %v state %q", c.frame.recheck.Visible(), c.home.state.label.Text)
	}
	test.Tap(c.frame.recheck)
	if c.frame.current != screenCheck || c.check.start.Text != "Back to work" {
		t.Fatalf("screen %q start %q", c.frame.current, c.check.start.Text)
	}
	test.Tap(c.check.start)
	if f.states[len(f.states)-1] != StateAvailable || c.frame.current != screenHome || c.frame.alert.root.Visible() {
		t.Fatalf("back to work: states %v screen %q", f.states, c.frame.current)
	}
	if strings.Count(strings.Join(f.calls, "\n"), "clockin") != 1 {
		t.Fatal("going back to work must not clock in again")
	}
}

// The headset's call buttons answer, mute, hold and hang up.
func TestHeadsetButtons(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.handle(HeadsetButton{Button: HeadsetAnswer})
	if f.called("answer in-1") {
		t.Fatal("the call button with nothing ringing answered something")
	}
	incoming(c)
	c.handle(HeadsetButton{Button: HeadsetAnswer})
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	c.handle(HeadsetButton{Button: HeadsetMute})
	c.handle(HeadsetButton{Button: HeadsetFlash})
	c.handle(HeadsetButton{Button: HeadsetHangup})
	for _, want := range []string{"answer in-1", "mute in-1 on", "hold in-1 on", "hangup in-1"} {
		if !f.called(want) {
			t.Fatalf("calls = %v, want %s", f.calls, want)
		}
	}
}
