package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/homeshore/homeshore/assets/i18n"
)

// Every screen of the app, in order, as one list: the French walk, the
// layout check at two window sizes and the screenshots all use it, so a
// screen added here is checked and shown everywhere.

// screenStep puts the window in one state.
type screenStep struct {
	name  string
	setup func()
}

// screenFake is the scripted core the walk runs on: tickets with a thread,
// a device with a long verdict, attended transfer offered.
func screenFake(lang string) *fake {
	f := newFake()
	f.now = time.Now().Truncate(time.Minute)
	f.consult = true
	f.queues = []string{"billing", "support"}
	f.locked = Locked{SettingTransport: "tls"}
	f.settings = Settings{InputDevice: "hs-in", OutputDevice: "hs-out", RingDevice: "spk",
		Ringtone: "classic", Theme: "light", WrapUpSeconds: 60}
	tk := &f.tickets["+33612345678"][0]
	tk.Customer, tk.Queue, tk.UpdatedBy = "Claire Martin", "support", "Sam Supervisor"
	tk.Notes = []Note{{Author: "Alice Agent", Body: sampleNote(lang), At: f.now.Add(-26 * time.Hour)}}
	f.tickets["+33612345678"] = append(f.tickets["+33612345678"], Ticket{ID: "0987", Subject: "Wrong invoice amount for October",
		Status: "resolved", Customer: "Claire Martin", Queue: "billing", Updated: f.now.AddDate(0, 0, -23)})
	if lang == "fr" {
		f.tickets["+33612345678"][0].Subject = "La box redémarre chaque nuit"
		f.tickets["+33612345678"][1].Subject = "Montant de facture erroné en octobre"
	}
	f.longDevice = true
	sam := "Sam Supervisor"
	f.messages = &fakeMessages{items: []Message{
		{ID: "1", FromName: sam, Body: sampleMessage(lang, 0), At: f.now.Add(-50 * time.Minute)},
		{ID: "2", Mine: true, Body: sampleMessage(lang, 1), At: f.now.Add(-48 * time.Minute)},
		{ID: "3", Mine: true, Help: true, Body: sampleMessage(lang, 2), At: f.now.Add(-20 * time.Minute), TakenBy: sam},
	}}
	return f
}

// sampleMessage is one of the walk's messages with supervisors.
func sampleMessage(lang string, i int) string {
	msgs := map[string][]string{
		"en": {"Team meeting at 2pm today, short one. Please take your break before.", "Noted, I will take it at 1:30.", "Customer insists on a refund over 200 euros"},
		"fr": {"Réunion d'équipe à 14 h aujourd'hui, courte. Prenez votre pause avant.", "C'est noté, je la prends à 13 h 30.", "Le client exige un remboursement de plus de 200 euros"},
	}
	return msgs[lang][i]
}

// screenOptions are the window options of the walk: the demo banner with
// its menu shows too.
func screenOptions() Options {
	return Options{Demo: true, DemoActions: []DemoAction{
		{Label: "demo.sim.bluetooth", Run: func(context.Context) error { return nil }},
		{Label: "demo.sim.noise", Run: func(context.Context) error { return nil }},
		{Label: "demo.sim.unplug", Run: func(context.Context) error { return nil }},
	}}
}

func screenSteps(c *Controller, f *fake, lang string) []screenStep {
	now := f.now
	closeTop := func() {
		if top := c.win.Canvas().Overlays().Top(); top != nil {
			top.Hide()
			c.win.Canvas().Overlays().Remove(top)
		}
		c.dialogs = nil
	}
	return []screenStep{
		{"01-first-run", func() {
			f.account = Account{}
			delete(f.secrets, SecretSIPPassword)
			c.account = Account{}
			c.showFirstRun()
			c.first.server.SetText("sip example.com")
			c.first.user.SetText("agent 7")
			c.first.backendURL.SetText("tickets.example.com")
			c.first.save()
			c.first.devices.output.SetSelected("Laptop speakers")
		}},
		{"02-precheck-running", func() {
			f.configured()
			c.account = f.account
			c.frame.show(screenCheck, c.check.root)
			c.check.running = true
			c.check.runButton.Disable()
			c.check.results.RemoveAll()
			c.check.verdict.SetText("")
			c.check.progress(CheckProgress{Step: 2, Steps: 4, Current: Text{Key: "check.step.room", Args: []any{10.0}}, MicLevel: 0.32, QuietLeft: 7 * time.Second})
		}},
		{"02b-precheck-read", func() {
			c.check.prompt.askRead(4, func(error) {})
			c.check.prompt.startReading()
			c.check.progress(CheckProgress{Step: 4, Steps: 6, Current: Text{Key: "check.step.microphone"}, Reading: true,
				ReadLeft: 3 * time.Second, MicLevel: 0.18, Voice: VoiceQuiet})
		}},
		{"02c-precheck-heard", func() {
			c.check.prompt.askHeard(func(context.Context) error { return nil }, func(bool) {})
			c.check.prompt.playAgain()
		}},
		{"03-precheck-results", func() {
			c.check.done(CheckReport{OverrideAllowed: true, Results: sampleResults()}, nil)
		}},
		{"04-main", func() {
			c.report = &CheckReport{CanStart: true}
			c.status = ShiftStatus{State: StateNotReady, Reason: "tech", Since: now.Add(-237 * time.Second), ShiftStart: now.Add(-2*time.Hour - 17*time.Minute)}
			c.reg = RegStatus{State: RegRegistered, Server: "sip.example.com"}
			c.lastDialed = "+33155550123"
			c.recent = sampleRecent(now)
			c.unseenMissed = 1
			c.home.recentBox.SetSubTitle(c.tr.T("wrap.saved.ticket", "1042"))
			c.showHome()
		}},
		{"05-incoming", func() {
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateAvailable, Since: now.Add(-40 * time.Second)}})
			incoming(c)
			f.advance(6 * time.Second)
			c.tick()
		}},
		{"06-in-call", func() {
			c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now().Add(-4*time.Minute - 12*time.Second)}})
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateOnCall, Since: c.now(), Then: &NextState{State: StateAvailable}}})
			c.call.muted = true
			c.call.dtmf = "42#"
			c.handle(QualityUpdated{CallID: "in-1", Quality: Quality{Codec: "opus", MOS: 3.2, LossPercent: 6.4, JitterMs: 46, RTTMs: 80}})
			c.home.call.target.SetText("abc!!")
			c.transfer()
			c.handle(IncomingCall{Call: CallInfo{ID: "in-2", Direction: Inbound, Remote: "+15551234567", Display: "John Miller", Started: c.now()}})
			c.home.call.refresh()
		}},
		{"", func() { // the consultation is placed (async: its own step)
			c.reject()
			c.handle(CallClosed{CallID: "in-2", By: "local"})
			c.call.muted = false
			c.home.call.target.SetText("2002")
			c.consult()
		}},
		{"07-consult", func() {
			c.handle(CallEstablished{Call: CallInfo{ID: "consult-1", Answered: c.now()}})
			f.advance(35 * time.Second)
			c.tick()
		}},
		{"08-conference", func() {
			c.merge()
		}},
		{"09-ticket", func() {
			c.openTicket("1042")
		}},
		{"", func() { // the calls end: wrap-up opens and loads its lists
			closeTop()
			c.handle(CallClosed{CallID: "consult-1", By: "remote"})
			c.handle(CallClosed{CallID: "in-1", By: "remote"})
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateWrapUp, Since: c.now(), Then: &NextState{State: StateAvailable}}})
		}},
		{"10-wrap-up", func() {
			c.wrap.disposition.SetSelected(c.dispositionLabel("callback", ""))
			c.wrap.note.SetText(sampleNote(lang))
			c.wrap.ticket.SetSelected(c.tr.T("wrap.ticket.new"))
			f.createErr = errors.New("503 Service Unavailable")
			c.wrap.submit(false)
		}},
		{"11-headset-lost", func() {
			f.createErr = nil
			c.wrap.saveWithoutTicket()
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: "headset_missing", Since: c.now()}})
			c.handle(DeviceLost{Device: "Jabra Evolve 30 II", Message: Text{Key: "check.guard.headset_unplugged"}})
		}},
		{"12-shortcuts", func() {
			c.showShortcuts()
		}},
		{"13-settings", func() {
			closeTop()
			c.setAlert("")
			c.openSettings()
		}},
		{"14-end-shift", func() {
			closeTop()
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateBreak, Reason: "lunch", Since: c.now()}})
			c.confirmEndShift()
		}},
		{"15-summary", func() {
			closeTop()
			c.shiftSum = ShiftSummary{Start: now.Add(-8 * time.Hour), End: now, Calls: 37, Missed: 2, Rejected: 1, Talk: 251 * time.Minute,
				AverageHandle: 8*time.Minute + 47*time.Second, Dispositions: map[string]int{"resolved": 21, "callback": 7, "transferred": 6, "escalated": 3},
				InState: map[AgentState]time.Duration{StateAvailable: 95 * time.Minute, StateOnCall: 251 * time.Minute,
					StateWrapUp: 62 * time.Minute, StateNotReady: 22 * time.Minute, StateBreak: 50 * time.Minute}}
			c.showSummary()
		}},
		{"16-demo-menu", func() {
			c.call, c.held, c.conference = nil, nil, false
			c.status = ShiftStatus{State: StateAvailable, Since: now, ShiftStart: now.Add(-time.Hour)}
			c.showHome()
			c.home.showPanel(c.home.idle)
			// The demo's Bluetooth headset paired mid-shift: calls stay on the headset.
			c.handle(SoundDefaultChanged{Away: true, Output: "Demo-BT-earbuds", Headset: "Poly Blackwire 3220"})
			c.showDemoMenu(c.frame.demo.root)
		}},
		{"18-help", func() {
			closeTop()
			c.handle(SoundDefaultChanged{Headset: "Poly Blackwire 3220"})
			c.handle(MessagesChanged{Unread: 1})
			c.msgs.askHelp()
		}},
		{"19-messages", func() {
			closeTop()
			c.msgs.raiseHand("")
			c.msgs.open()
			c.msgs.entry.SetText(sampleMessage(lang, 1))
		}},
	}
}

// walkScreens runs every step on a test window of size in lang and calls
// visit after each.
func walkScreens(t *testing.T, lang string, size fyne.Size, visit func(name string, c *Controller)) {
	t.Helper()
	a := test.NewTempApp(t)
	f := screenFake(lang)
	opts := screenOptions()
	opts.Backend, opts.Language = f.backend(), lang
	c, err := newController(a, opts, func(work func()) { work() })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.cancel)
	c.win.Resize(size)
	for _, st := range screenSteps(c, f, lang) {
		st.setup()
		if st.name == "" {
			continue
		}
		c.win.Resize(size) // lay out again, as a frame would
		visit(st.name, c)
	}
}

// sampleResults are findings as the core reports them: catalogue keys
// and arguments, shown in each language from the same data.
func sampleResults() []CheckResult {
	return []CheckResult{
		{Check: "headset", Verdict: VerdictPass, Figures: Text{Key: "check.msg.headset", Args: []any{`"Jabra Evolve 30"`, i18n.Term("check.term.kind.wired_usb")}}},
		{Check: "leak", Verdict: VerdictPass, Figures: Text{Key: "check.msg.leak_low", Args: []any{47}}},
		{Check: "room", Verdict: VerdictFail, Figures: Text{Key: "check.msg.room_noisy_dba", Args: []any{52.0, 45.0}},
			Fix: Text{Key: "check.msg.room_voices"}},
		{Check: "network", Verdict: VerdictWarn, Figures: Text{Key: "check.msg.network_ok", Args: []any{31.0, 4.2, i18n.Term("check.term.link.wifi")}},
			Fix: Text{Key: "check.msg.wifi", Args: []any{"wlan0"}}},
	}
}

func sampleRecent(now time.Time) []RecentCall {
	return []RecentCall{
		{Direction: Inbound, Remote: "+33698765432", Name: "Sophie Bernard", At: now.Add(-95 * time.Minute), Duration: 312 * time.Second, Disposition: "resolved"},
		{Direction: Inbound, Remote: "+15551234567", Name: "John Miller", At: now.Add(-70 * time.Minute), Missed: true},
		{Direction: Outbound, Remote: "+33155550123", At: now.Add(-41 * time.Minute), Duration: 128 * time.Second, Disposition: "callback"},
		{Direction: Inbound, Remote: "+33755512345", Name: "Ahmed Benali", At: now.Add(-12 * time.Minute), Duration: 545 * time.Second,
			Disposition: "transferred", TransferredTo: "2002"},
		{Direction: Inbound, Remote: "+33612345678", Name: "Claire Martin", At: now.Add(-5 * time.Minute), Rejected: true},
	}
}

func sampleNote(lang string) string {
	if lang == "fr" {
		return "La box redémarre chaque nuit vers 2 h. Rappeler vendredi après le changement de firmware."
	}
	return "Box reboots every night around 2am. Call back Friday after the firmware update."
}
