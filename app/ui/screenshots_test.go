package ui

import (
	"context"
	"flag"
	"fmt"
	"github.com/homeshore/homeshore/assets/i18n"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
)

// -screenshots DIR drives real windows (GLFW; run under xvfb-run, see
// scripts/screenshots.sh) through every main screen in each language and
// saves DIR/<lang>/<screen>.png. Without the flag the tests run as usual.
var screenshotDir = flag.String("screenshots", "", "save PNGs of every screen into this directory (needs a display)")

func TestMain(m *testing.M) {
	flag.Parse()
	if *screenshotDir != "" {
		if err := captureAll(*screenshotDir); err != nil {
			fmt.Fprintln(os.Stderr, "screenshots:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// captureAll runs the Fyne app on the main thread (TestMain owns it) and
// walks the screens from another goroutine.
func captureAll(dir string) error {
	a := fyneapp.NewWithID(AppID + ".screenshots")
	started := make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	errc := make(chan error, 1)
	go func() {
		<-started
		var err error
		for _, lang := range supportedLanguages {
			if err = captureLanguage(a, filepath.Join(dir, lang), lang); err != nil {
				break
			}
		}
		errc <- err
		fyne.Do(a.Quit)
	}()
	// A hidden window keeps the loop alive until the first real one exists.
	keep := a.NewWindow("screenshots")
	keep.SetMaster()
	a.Run()
	return <-errc
}

// shooter captures one controller's window.
type shooter struct {
	c   *Controller
	dir string
}

// settle lets queued fyne.Do work and a frame or two run before a capture.
func settle() { time.Sleep(400 * time.Millisecond) }

// shot captures the window from the X server: under Xvfb, Fyne's own
// Canvas().Capture() reads the GL front buffer, which Mesa leaves blank.
func (s shooter) shot(name string, setup func()) error {
	fyne.DoAndWait(setup)
	settle()
	img, err := captureX(s.c.win.Title())
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(s.dir, name+".png"))
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}

func captureLanguage(a fyne.App, dir, lang string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f := newFake()
	f.now = time.Now().Truncate(time.Minute)
	f.locked = Locked{SettingTransport: "tls"}
	f.settings = Settings{InputDevice: "hs-in", OutputDevice: "hs-out", RingDevice: "spk", Codecs: []string{"opus", "pcmu"},
		Ringtone: "classic", Theme: "light", WrapUpSeconds: 60}
	if lang == "fr" {
		f.tickets["+33612345678"][0].Subject = "La box redémarre"
	}
	var c *Controller
	var err error
	fyne.DoAndWait(func() {
		c, err = NewController(a, Options{Backend: f.backend(), Language: lang, NoTray: true})
		if err == nil {
			c.win.SetTitle("Homeshore screenshots " + lang)
			c.win.Resize(fyne.NewSize(1080, 720))
			c.win.Show()
		}
	})
	if err != nil {
		return err
	}
	defer fyne.DoAndWait(func() { c.win.Hide() })
	stop := c.Start(context.Background())
	defer stop()
	s := shooter{c: c, dir: dir}
	tr := c.tr.T
	steps := []struct {
		name  string
		setup func()
	}{
		{"01-first-run", func() {
			c.showFirstRun()
			c.first.server.SetText("sip.example.com")
			c.first.user.SetText("agent 7")
			c.first.backendURL.SetText("tickets.example.com")
			c.first.save()
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
		{"03-precheck-results", func() {
			c.check.done(CheckReport{OverrideAllowed: true, Results: sampleResults()}, nil)
		}},
		{"04-main", func() {
			c.status = ShiftStatus{State: StateAvailable, Since: f.now, ShiftStart: f.now.Add(-2*time.Hour - 17*time.Minute)}
			c.reg = RegStatus{State: RegRegistered, Server: "sip.example.com"}
			c.lastDialed = "+33155550123"
			c.recent = sampleRecent(f.now)
			c.showHome()
		}},
		{"05-incoming", func() {
			incoming(c)
		}},
		{"06-in-call", func() {
			c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: f.now.Add(-4*time.Minute - 12*time.Second)}})
			c.call.onHold = true
			c.handle(QualityUpdated{CallID: "in-1", Quality: Quality{Codec: "opus", MOS: 3.2, LossPercent: 6.4, JitterMs: 46, RTTMs: 80}})
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateOnCall, Since: f.now}})
			c.home.call.refresh()
		}},
		{"07-wrap-up", func() {
			c.handle(CallClosed{CallID: "in-1", By: "remote"})
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateWrapUp, Since: f.now}})
			c.wrap.dispositions = f.disps
			c.wrap.disposition.SetOptions([]string{f.disps[0].Label, f.disps[1].Label})
			c.wrap.disposition.SetSelected(f.disps[1].Label)
			c.wrap.note.SetText(sampleNote(lang))
		}},
		{"08-headset-lost", func() {
			c.wrap.submit(false)
			c.handle(ShiftStateChanged{Status: ShiftStatus{State: StateNotReady, Reason: "tech", Since: f.now}})
			c.handle(DeviceLost{Device: "USB headset", Message: Text{Key: "check.guard.headset_unplugged"}})
		}},
		{"09-settings", func() {
			c.setAlert("")
			c.openSettings()
		}},
		{"10-summary", func() {
			c.win.Canvas().Overlays().Top().Hide()
			c.win.Canvas().Overlays().Remove(c.win.Canvas().Overlays().Top())
			c.shiftSum = ShiftSummary{Start: f.now.Add(-8 * time.Hour), End: f.now, Calls: 37, Talk: 251 * time.Minute,
				InState: map[AgentState]time.Duration{StateAvailable: 95 * time.Minute, StateOnCall: 251 * time.Minute,
					StateWrapUp: 62 * time.Minute, StateNotReady: 22 * time.Minute, StateBreak: 50 * time.Minute}}
			c.showSummary()
		}},
		{"11-main-dark", func() {
			c.settings.Theme = "dark"
			c.applyTheme()
			_ = c.setLanguage(c.tr.Lang()) // rebuild every view in the new theme
			c.frame.demo.show(colorInfo, tr("demo.banner"))
			c.call = nil
			c.showHome()
			c.home.showPanel(c.home.idle)
		}},
	}
	for _, st := range steps {
		if err := s.shot(st.name, st.setup); err != nil {
			return fmt.Errorf("%s/%s: %w", lang, st.name, err)
		}
	}
	fyne.DoAndWait(func() { c.settings.Theme = ""; c.applyTheme() })
	return nil
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
		{Direction: Inbound, Remote: "+33698765432", At: now.Add(-95 * time.Minute), Duration: 312 * time.Second},
		{Direction: Inbound, Remote: "+15551234567", At: now.Add(-70 * time.Minute), Missed: true},
		{Direction: Outbound, Remote: "+33155550123", At: now.Add(-41 * time.Minute), Duration: 128 * time.Second},
		{Direction: Inbound, Remote: "+33755512345", At: now.Add(-12 * time.Minute), Duration: 545 * time.Second},
	}
}

func sampleNote(lang string) string {
	if lang == "fr" {
		return "La box redémarre chaque nuit vers 2 h. Rappeler vendredi après le changement de firmware."
	}
	return "Box reboots every night around 2am. Call back Friday after the firmware update."
}
