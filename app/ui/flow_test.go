package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/homeshore/homeshore/assets/i18n"
)

// newTestController builds the GUI on Fyne's test driver with async work
// run inline, so every flow is deterministic and needs no waiting.
func newTestController(t *testing.T, f *fake, language string) *Controller {
	t.Helper()
	a := test.NewTempApp(t)
	c, err := newController(a, Options{Backend: f.backend(), Language: language}, func(work func()) { work() })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.cancel)
	return c
}

func (f *fake) called(s string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Contains(f.calls, s)
}

func TestFirstRunShownUntilAccountComplete(t *testing.T) {
	c := newTestController(t, newFake(), "en")
	if c.frame.current != screenFirstRun {
		t.Fatalf("screen = %q, want first run on an empty config", c.frame.current)
	}
	c2 := newTestController(t, newFake().configured(), "en")
	if c2.frame.current != screenCheck {
		t.Fatalf("screen = %q, want the pre-shift check once configured", c2.frame.current)
	}
}

func TestFirstRunValidationSaysWhatToFix(t *testing.T) {
	f := newFake()
	c := newTestController(t, f, "en")
	v := c.first
	test.Type(v.server, "sip example.com")
	test.Type(v.backendURL, "tickets.example.com")
	test.Tap(v.saveButton)

	want := map[string]string{
		fieldServer:     c.tr.T("err.server.invalid"),
		fieldUser:       c.tr.T("err.user.empty"),
		fieldPassword:   c.tr.T("err.password.empty"),
		fieldBackendURL: c.tr.T("err.backend.invalid"),
		fieldAgentLogin: c.tr.T("err.agent.empty"),
		fieldAuthUser:   "",
		fieldTransport:  "",
	}
	for field, msg := range want {
		if got := v.errs[field].Text; got != msg {
			t.Errorf("%s message = %q, want %q", field, got, msg)
		}
	}
	if c.frame.current != screenFirstRun {
		t.Fatal("bad input must keep the agent on the form")
	}
	if len(f.secrets) != 0 || f.account.Server != "" {
		t.Fatal("nothing may be saved while fields are invalid")
	}

	v.server.SetText("")
	test.Type(v.server, "sip.example.com:5060")
	test.Type(v.user, "1001")
	test.Type(v.password, "s3cret")
	v.backendURL.SetText("")
	test.Type(v.backendURL, "https://tickets.example.com")
	test.Type(v.agentLogin, "agent7")
	test.Tap(v.saveButton)

	if f.secrets[SecretSIPPassword] != "s3cret" {
		t.Fatal("the SIP password must go to the keyring")
	}
	if f.account.Password != "" || f.account.Token != "" {
		t.Fatal("secrets must never be saved with the account")
	}
	if f.account.Server != "sip.example.com:5060" || f.account.User != "1001" || f.account.Transport != "udp" {
		t.Fatalf("saved account = %+v", f.account)
	}
	if c.frame.current != screenCheck {
		t.Fatalf("screen = %q, want the pre-shift check after saving", c.frame.current)
	}
}

func TestFirstRunTestConnectionReports(t *testing.T) {
	f := newFake().configured()
	f.registerErr = errors.New("403 Forbidden")
	c := newTestController(t, f, "en")
	c.showFirstRun()
	test.Tap(c.first.testButton)
	if got, want := c.first.testResult.Text, c.tr.T("firstrun.test.fail", "403 Forbidden"); got != want {
		t.Fatalf("test result = %q, want %q", got, want)
	}
	if f.registered[0].Password != "s3cret" {
		t.Fatal("Test connection must use the password from the keyring when the field is empty")
	}
	f.registerErr = nil
	test.Tap(c.first.testButton)
	if !strings.Contains(c.first.testResult.Text, "sip.example.com") {
		t.Fatalf("success text = %q", c.first.testResult.Text)
	}
}

func TestPolicyLockedFieldIsReadOnly(t *testing.T) {
	f := newFake().configured()
	f.locked = Locked{SettingServer: "pbx.corp.example"}
	c := newTestController(t, f, "en")
	c.showFirstRun()
	if !c.first.server.Disabled() || c.first.server.Text != "pbx.corp.example" {
		t.Fatalf("server entry: disabled=%v text=%q; want read-only policy value", c.first.server.Disabled(), c.first.server.Text)
	}
}

func TestPolicyLockedSRTPIsReadOnly(t *testing.T) {
	f := newFake().configured()
	f.locked = Locked{SettingSRTP: "mandatory"}
	f.settings.SRTP = "mandatory"
	c := onShift(t, f, "fr")
	v := newSettingsView(c)
	if !v.srtp.Disabled() {
		t.Fatal("an SRTP mode set by policy must be read-only")
	}
	if !hasLabel(v.root, "Toujours (refuser les appels non chiffrés)") {
		t.Fatal("the locked SRTP mode is not shown in words")
	}
	if err := v.apply(); err != nil || f.settings.SRTP != "mandatory" {
		t.Fatalf("apply with a locked SRTP mode: %v, %+v", err, f.settings)
	}
}

func TestPrecheckStartEnabledOnlyWhenPolicyAllows(t *testing.T) {
	f := newFake().configured()
	f.report = CheckReport{CanStart: false, Results: []CheckResult{{Name: "Headset", Verdict: VerdictFail, Fix: Plain("Plug in your USB headset")}}}
	c := newTestController(t, f, "en")
	v := c.check
	if !v.start.Disabled() || v.override.Visible() {
		t.Fatal("a failed check without override must block the shift")
	}
	if len(v.results.Objects) != 1 {
		t.Fatalf("results shown = %d, want 1", len(v.results.Objects))
	}

	f.report.OverrideAllowed = true
	test.Tap(v.runButton)
	if !v.start.Disabled() || !v.override.Visible() {
		t.Fatal("with override allowed, Start stays disabled and the override appears")
	}
	test.Tap(v.anyway)
	if f.called("clockin ") {
		t.Fatal("override without a reason must not clock in")
	}
	test.Type(v.reason, "headset in repair")
	test.Tap(v.anyway)
	if !f.called("clockin headset in repair") {
		t.Fatalf("calls = %v, want clock-in with the reason", f.calls)
	}

	f.report = CheckReport{CanStart: true}
	c2 := newTestController(t, f, "en")
	if c2.check.start.Disabled() {
		t.Fatal("Start shift must be enabled when the check passes")
	}
	test.Tap(c2.check.start)
	if c2.frame.current != screenHome || !f.called("register") {
		t.Fatalf("after Start shift: screen %q, calls %v", c2.frame.current, f.calls)
	}
	if c2.reg.State != RegRegistered {
		t.Fatalf("registration = %v, want registered", c2.reg.State)
	}
}

// onShift returns a controller in the main window, Available.
func onShift(t *testing.T, f *fake, language string) *Controller {
	t.Helper()
	c := newTestController(t, f, language)
	test.Tap(c.check.start)
	if c.frame.current != screenHome {
		t.Fatalf("screen = %q, want home", c.frame.current)
	}
	return c
}

func TestStateControl(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.home.choose(c.tr.T("state.notready.reason", "Training"))
	if len(f.states) != 1 || f.states[0] != StateNotReady || !f.called("state training") {
		t.Fatalf("states = %v calls = %v, want Not ready (training)", f.states, f.calls)
	}
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: "training", Since: f.clock()}})
	if got := c.home.state.label.Text; got != "Not ready: Training" {
		t.Fatalf("state label = %q", got)
	}
	c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateBreak}})
	if got := c.home.state.label.Text; got != "Break" {
		t.Fatalf("state label = %q", got)
	}
	f.advance(90 * time.Minute)
	c.tick()
	if got := c.home.shiftTime.Text; got != "1:30:00" {
		t.Fatalf("shift timer = %q, want 1:30:00", got)
	}
}

func incoming(c *Controller) {
	c.handle(IncomingCall{Call: CallInfo{ID: "in-1", Direction: Inbound, Remote: "+33612345678", Display: "Claire Martin", Started: c.now()}})
}

func TestIncomingCallScreenPopAndControls(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	incoming(c)
	p := c.home.call
	if c.home.panel.Objects[0] != p.incoming {
		t.Fatal("an incoming call must show the incoming panel")
	}
	if got := p.pop.title.Text; got != c.tr.T("pop.count.one") {
		t.Fatalf("screen-pop title = %q", got)
	}
	if p.pop.list.Length() != 1 {
		t.Fatalf("screen-pop tickets = %d, want 1 before answering", p.pop.list.Length())
	}
	test.Tap(p.answer)
	if !f.called("answer in-1") {
		t.Fatalf("calls = %v", f.calls)
	}
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
	if c.home.panel.Objects[0] != p.active {
		t.Fatal("an answered call must show the call controls")
	}
	test.Tap(p.mute)
	test.Tap(p.hold)
	if !f.called("mute in-1 on") || !f.called("hold in-1 on") || p.hold.Text != "Resume" {
		t.Fatalf("calls = %v hold button %q", f.calls, p.hold.Text)
	}
	c.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: shortcutModifier})
	if !f.called("hold in-1 off") {
		t.Fatal("Ctrl+Shift+H must toggle hold")
	}
	c.handle(QualityUpdated{CallID: "in-1", Quality: Quality{MOS: 3.1, LossPercent: 7, JitterMs: 50, Codec: "opus"}})
	if p.warning.Text == "" {
		t.Fatal("degraded quality must show a warning")
	}
	f.advance(75 * time.Second)
	c.tick()
	if p.timer.Text != "1:15" {
		t.Fatalf("call timer = %q", p.timer.Text)
	}
	test.Tap(p.hangup)
	if !f.called("hangup in-1") {
		t.Fatalf("calls = %v", f.calls)
	}
}

func TestShortcutAnswersRingingCall(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	incoming(c)
	c.win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: shortcutModifier})
	if !f.called("answer in-1") {
		t.Fatalf("calls = %v", f.calls)
	}
}

func TestMissedCallGoesToRecent(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	incoming(c)
	c.handle(CallClosed{CallID: "in-1", By: "remote"})
	if c.home.panel.Objects[0] != c.home.idle || len(c.recent) != 1 || !c.recent[0].Missed {
		t.Fatalf("recent = %+v", c.recent)
	}
}

func TestMidShiftProblemsShownAtOnce(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	c.handle(DeviceLost{Device: "USB headset", Message: Plain("Your headset was unplugged: plug it back in")})
	if !c.frame.alert.root.Visible() || !strings.Contains(c.frame.alert.text.Text, "unplugged") {
		t.Fatalf("alert = %q", c.frame.alert.text.Text)
	}
	c.setAlert("")
	c.handle(RegistrationChanged{Status: RegStatus{State: RegFailed, Detail: "timeout"}})
	if !c.frame.alert.root.Visible() || !strings.Contains(c.frame.alert.text.Text, "timeout") {
		t.Fatalf("alert = %q", c.frame.alert.text.Text)
	}
	c.handle(RegistrationChanged{Status: RegStatus{State: RegRegistered, Server: "sip.example.com"}})
	if c.frame.alert.root.Visible() {
		t.Fatal("the registration alert must clear once registered again")
	}
}

func TestDialPadDialsAndRedials(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	test.Type(c.home.number, "+1 (555) 010-9999")
	test.Tap(c.home.dialBtn)
	if !f.called("dial +15550109999") {
		t.Fatalf("calls = %v", f.calls)
	}
	if c.home.panel.Objects[0] != c.home.call.active {
		t.Fatal("dialling shows the call controls")
	}
	c.handle(CallClosed{CallID: "out-1", By: "remote", Reason: "486 Busy Here"})
	test.Tap(c.home.redialBtn)
	if n := strings.Count(strings.Join(f.calls, "\n"), "dial +15550109999"); n != 2 {
		t.Fatalf("redial: %d dials", n)
	}
}

func TestDTMFFromKeypadDuringCall(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	incoming(c)
	test.Tap(c.home.call.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1"}})
	pad := findButton(c.home.root, "5")
	if pad == nil {
		t.Fatal("no key 5 on the dial pad")
	}
	test.Tap(pad)
	if !f.called("dtmf 5") || c.home.number.Text != "" {
		t.Fatalf("calls %v number %q: keypad must send DTMF during a call", f.calls, c.home.number.Text)
	}
}

func findButton(o fyne.CanvasObject, text string) *widget.Button {
	if b, ok := o.(*widget.Button); ok && b.Text == text {
		return b
	}
	if cont, ok := o.(*fyne.Container); ok {
		for _, child := range cont.Objects {
			if b := findButton(child, text); b != nil {
				return b
			}
		}
	}
	if card, ok := o.(*widget.Card); ok && card.Content != nil {
		return findButton(card.Content, text)
	}
	return nil
}

func TestEndOfShiftSummary(t *testing.T) {
	f := newFake().configured()
	start := f.clock()
	f.summary = ShiftSummary{Start: start, End: start.Add(8 * time.Hour), Calls: 42, Talk: 185 * time.Minute,
		InState: map[AgentState]time.Duration{StateAvailable: 3 * time.Hour, StateOnCall: 185 * time.Minute}}
	c := onShift(t, f, "en")
	c.endShift()
	if c.frame.current != screenSummary || c.summary.calls.Text != "42" || c.summary.talk.Text != "3:05:00" {
		t.Fatalf("summary: screen %q calls %q talk %q", c.frame.current, c.summary.calls.Text, c.summary.talk.Text)
	}
}

func TestFrenchInterface(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	if c.check.runButton.Text != "Relancer" || c.home.dialBtn.Text != "Appeler" {
		t.Fatalf("French labels: %q %q", c.check.runButton.Text, c.home.dialBtn.Text)
	}
	if err := c.setLanguage("en"); err != nil {
		t.Fatal(err)
	}
	if c.home.dialBtn.Text != "Call" || c.frame.current != screenHome {
		t.Fatalf("after switching to English: %q on %q", c.home.dialBtn.Text, c.frame.current)
	}
}

func TestSettingsSaveLanguageAndTheme(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	v := newSettingsView(c)
	v.language.SetSelected("Français")
	v.themeSel.SetSelected(c.tr.T("settings.theme.dark"))
	if err := v.apply(); err != nil {
		t.Fatal(err)
	}
	if f.settings.Language != "fr" || f.settings.Theme != "dark" || c.tr.Lang() != "fr" {
		t.Fatalf("settings = %+v lang %q", f.settings, c.tr.Lang())
	}
	v = newSettingsView(c)
	v.srtp.SetSelected(c.tr.T("settings.srtp.mandatory"))
	if err := v.apply(); err != nil || f.settings.SRTP != "mandatory" {
		t.Fatalf("SRTP setting: %v, settings %+v", err, f.settings)
	}
	v = newSettingsView(c)
	if v.srtp.Selected != c.tr.T("settings.srtp.mandatory") {
		t.Fatalf("settings reopened with SRTP %q", v.srtp.Selected)
	}
	v.wrapUp.SetText("2")
	if err := v.apply(); err == nil {
		t.Fatal("a wrap-up time of 2 s must be refused with a message")
	}
}

func TestStartStopDeliversEvents(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	f.events = make(chan Event) // unbuffered: each send waits for the pump
	stop := c.Start(context.Background())
	f.events <- ShiftStateChanged{Status: ShiftStatus{State: StateBreak}}
	f.events <- ShiftStateChanged{Status: ShiftStatus{State: StateBreak}} // the first is handled by now
	stop()
	stop()
	if got := c.home.state.label.Text; got != "Break" {
		t.Fatalf("state label = %q after an event through the pump", got)
	}
}

// hasLabel reports whether a label with text is somewhere under o.
func hasLabel(o fyne.CanvasObject, text string) bool {
	switch w := o.(type) {
	case *widget.Label:
		return w.Text == text
	case *widget.Card:
		return w.Content != nil && hasLabel(w.Content, text)
	case *widget.Form:
		for _, it := range w.Items {
			if hasLabel(it.Widget, text) {
				return true
			}
		}
	case *fyne.Container:
		for _, child := range w.Objects {
			if hasLabel(child, text) {
				return true
			}
		}
	}
	return false
}

// TestCheckResultsInTheAgentsLanguage: a finding from the core (catalogue
// key and arguments) reads in French for a French agent, with the check's
// French name; a finding with plain text only shows that text.
func TestCheckResultsInTheAgentsLanguage(t *testing.T) {
	tr, err := NewTranslator("fr")
	if err != nil {
		t.Fatal(err)
	}
	row := checkRow(tr, CheckResult{Name: "Network", Check: "network", Verdict: VerdictWarn,
		Figures: Text{Plain: "Network to the SIP server is good (31 ms, MOS 4.2, Wi-Fi)", Key: "check.msg.network_ok", Args: []any{31.0, 4.2, i18n.Term("check.term.link.wifi")}},
		Fix:     Text{Plain: "You are on Wi-Fi (wlan0): …", Key: "check.msg.wifi", Args: []any{"wlan0"}}})
	if !hasLabel(row, "Réseau — Attention") {
		t.Error("the check's name is not in French")
	}
	want := "Le réseau jusqu'au serveur SIP est bon (31 ms, MOS 4.2, Wi-Fi)\nPour corriger : Vous êtes en Wi-Fi (wlan0) : votre employeur exige une connexion filaire (Ethernet) ; branchez un câble réseau"
	if !hasLabel(row, want) {
		t.Errorf("French finding not shown; want %q", want)
	}
	plain := checkRow(tr, CheckResult{Name: "Custom", Verdict: VerdictPass, Figures: Plain("measured by IT's own probe")})
	if !hasLabel(plain, "measured by IT's own probe") || !hasLabel(plain, "Custom — Réussi") {
		t.Error("a plain finding is not shown as is")
	}
}
