package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// precheckView is the pre-shift check wizard.
type precheckView struct {
	c         *Controller
	root      fyne.CanvasObject
	running   bool
	steps     *widget.ProgressBar
	current   *widget.Label
	level     *widget.ProgressBar
	countdown *widget.Label
	results   *fyne.Container
	verdict   *widget.Label
	runButton *widget.Button
	start     *widget.Button
	override  *fyne.Container
	reason    *keyEntry
	anyway    *widget.Button
	// prompt is the step waiting for the agent (read a sentence, did you
	// hear the sound), shown over the results while the check runs.
	prompt *checkPrompt
}

func newPrecheckView(c *Controller) *precheckView {
	t := c.tr.T
	v := &precheckView{c: c}
	v.steps = widget.NewProgressBar()
	v.current = widget.NewLabel(t("check.ready"))
	v.level = widget.NewProgressBar()
	v.level.TextFormatter = func() string { return "" }
	v.countdown = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	v.results = container.NewVBox()
	v.verdict = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.verdict.Wrapping = fyne.TextWrapWord
	v.runButton = widget.NewButtonWithIcon(t("check.run"), theme.ViewRefreshIcon(), v.run)
	v.start = widget.NewButtonWithIcon(t("check.start"), theme.MediaPlayIcon(), func() { v.startShift("") })
	v.start.Importance = widget.HighImportance
	v.start.Disable()
	v.reason = c.newEntry()
	v.reason.SetPlaceHolder(t("check.override.hint"))
	v.anyway = widget.NewButtonWithIcon(t("check.override.start"), theme.WarningIcon(), func() {
		if strings.TrimSpace(v.reason.Text) == "" {
			v.verdict.SetText(t("check.override.need"))
			return
		}
		v.startShift(strings.TrimSpace(v.reason.Text))
	})
	v.anyway.Importance = widget.WarningImportance
	v.override = container.NewBorder(nil, nil, widget.NewLabel(t("check.override")), v.anyway, v.reason)
	v.override.Hide()
	account := widget.NewButtonWithIcon(t("check.account"), theme.AccountIcon(), c.showFirstRun)
	settings := widget.NewButtonWithIcon(t("settings.open"), theme.SettingsIcon(), c.openSettings)

	live := widget.NewForm(
		widget.NewFormItem(t("check.progress"), v.steps),
		widget.NewFormItem(t("check.mic"), v.level),
	)
	v.current.Wrapping = fyne.TextWrapWord
	// The step under way, and on its right the quiet room's countdown.
	top := container.NewVBox(heading(t("check.title")), widget.NewLabel(t("check.intro")), live,
		container.NewBorder(nil, nil, nil, v.countdown, v.current))
	bottom := container.NewVBox(v.verdict, v.override,
		container.NewBorder(nil, nil, container.NewHBox(account, settings), container.NewHBox(v.runButton, v.start)))
	results := widget.NewCard(t("check.results"), "", container.NewVScroll(v.results))
	// While the agent reads, the card has the meter and the countdown.
	v.prompt = newCheckPrompt(c, results, live)
	body := container.NewBorder(top, bottom, nil, nil, container.NewStack(results, v.prompt.root))
	v.prompt.relayout = func() { top.Refresh(); body.Refresh() }
	v.root = container.NewPadded(body)
	return v
}

// run starts the check unless one is running.
func (v *precheckView) run() {
	if v.running {
		return
	}
	v.running = true
	v.runButton.Disable()
	v.start.Disable()
	v.override.Hide()
	v.results.RemoveAll()
	v.verdict.SetText("")
	v.current.SetText(v.c.tr.T("check.running"))
	c := v.c
	c.async(func(ctx context.Context) func() {
		report, err := c.be.Checker.Run(ctx, screenAgent{c})
		return func() { v.done(report, err) }
	})
}

func (v *precheckView) progress(p CheckProgress) {
	if p.Steps > 0 {
		v.steps.SetValue(float64(p.Step) / float64(p.Steps))
	}
	if !p.Current.Empty() {
		v.current.SetText(v.c.tr.Text(p.Current))
	}
	v.level.SetValue(p.MicLevel)
	v.prompt.progress(p)
	if p.QuietLeft > 0 {
		v.countdown.SetText(v.c.tr.T("check.quiet.left", int(p.QuietLeft.Seconds()+0.5)))
	} else {
		v.countdown.SetText("")
	}
}

func (v *precheckView) done(r CheckReport, err error) {
	v.running = false
	v.prompt.hide()
	v.runButton.Enable()
	v.level.SetValue(0)
	v.countdown.SetText("")
	t := v.c.tr.T
	if err != nil {
		v.current.SetText("")
		v.verdict.SetText(t("check.couldnotrun", err.Error()))
		return
	}
	v.steps.SetValue(1)
	v.current.SetText(t("check.finished"))
	v.c.report = &r
	v.setResults(r)
	// During a shift the check is the way back to work, not a new clock-in.
	v.start.SetText(t("check.start"))
	if v.c.status.State != StateOffline {
		v.start.SetText(t("check.resume"))
	}
	switch {
	case r.CanStart && hasWarnings(r):
		v.verdict.SetText(t("check.ok.warnings"))
		v.start.Enable()
	case r.CanStart:
		v.verdict.SetText(t("check.ok"))
		v.start.Enable()
	case r.OverrideAllowed:
		v.verdict.SetText(t("check.blocked.override"))
		v.override.Show()
	default:
		v.verdict.SetText(t("check.blocked"))
	}
}

func (v *precheckView) setResults(r CheckReport) {
	v.results.RemoveAll()
	for _, res := range r.Results {
		v.results.Add(checkRow(v.c.tr, res))
	}
}

// checkRow shows one result: light, name, verdict, figures and the fix.
func checkRow(tr *Translator, r CheckResult) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(fmt.Sprintf("%s — %s", checkName(tr, r), verdictWord(tr, r.Verdict)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// Figures and fix share one label: one padding, a compact list.
	var detail []string
	if !r.Figures.Empty() {
		detail = append(detail, tr.Text(r.Figures))
	}
	if !r.Fix.Empty() && r.Verdict != VerdictPass {
		detail = append(detail, tr.T("check.fix", tr.Text(r.Fix)))
	}
	lines := container.NewVBox(title)
	if len(detail) > 0 {
		d := widget.NewLabel(strings.Join(detail, "\n"))
		d.Wrapping = fyne.TextWrapWord
		lines = container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), title, d)
	}
	light := container.New(&fixedCenter{size: fyne.NewSize(14, 14)}, canvas.NewCircle(verdictColor(r.Verdict)))
	return container.NewBorder(nil, nil, container.NewVBox(container.NewPadded(light)), nil, lines)
}

// startShift clocks in and registers, then shows the main window. During
// a shift it goes back to work instead: Available, which a passing check
// since the problem allows.
func (v *precheckView) startShift(override string) {
	c := v.c
	if c.report == nil {
		return
	}
	if c.status.State != StateOffline {
		v.start.Disable()
		c.async(func(ctx context.Context) func() {
			err := c.be.Shift.SetState(ctx, StateAvailable, "")
			return func() {
				v.start.Enable()
				if err != nil {
					v.verdict.SetText(c.tr.T("state.fail", err.Error()))
					return
				}
				c.setAlert("")
				if c.reg.State == RegFailed {
					c.register() // the account was refused: try it again, as corrected
				}
				c.showHome()
			}
		})
		return
	}
	report := *c.report
	v.start.Disable()
	v.anyway.Disable()
	c.async(func(ctx context.Context) func() {
		if err := c.be.Shift.ClockIn(ctx, report, override); err != nil {
			return func() {
				v.anyway.Enable()
				if report.CanStart {
					v.start.Enable()
				}
				v.verdict.SetText(c.tr.T("check.clockin.fail", err.Error()))
			}
		}
		return func() {
			c.status = ShiftStatus{State: StateAvailable, Since: c.now(), ShiftStart: c.now()}
			c.home.recentBox.SetSubTitle("") // the last shift's "Saved to ticket #…"
			c.register()
			c.showHome()
		}
	})
}

// register registers the account with the password from the keyring.
func (c *Controller) register() {
	acc := c.account
	c.onRegistration(RegStatus{State: RegRegistering, Server: acc.Server})
	c.async(func(ctx context.Context) func() {
		pw, err := c.be.Secrets.Get(SecretSIPPassword)
		if err == nil {
			acc.Password = pw
			err = c.be.Phone.Register(ctx, acc)
		}
		return func() {
			var pending *ReconnectingError
			switch {
			case errors.As(err, &pending):
				// Not up yet; the phone registers by itself (events follow).
				since := pending.Since
				if since.IsZero() {
					since = c.now()
				}
				c.onRegistration(RegStatus{State: RegReconnecting, Server: acc.Server, Detail: pending.Err.Error(), Since: since})
			case err != nil:
				c.onRegistration(RegStatus{State: RegFailed, Server: acc.Server, Detail: err.Error()})
			default:
				c.onRegistration(RegStatus{State: RegRegistered, Server: acc.Server})
			}
		}
	})
}

// hasWarnings: the shift may start, but not everything passed.
func hasWarnings(r CheckReport) bool {
	for _, c := range r.Results {
		if c.Verdict != VerdictPass {
			return true
		}
	}
	return false
}

// checkNames are the catalogue keys of the checks' names.
var checkNames = map[string]string{
	"headset": "check.name.headset", "leak": "check.name.leak", "microphone": "check.name.microphone",
	"speaker": "check.name.speaker", "room": "check.name.room", "network": "check.name.network",
}

// checkName names a check result in the agent's language.
func checkName(tr *Translator, r CheckResult) string {
	if key, ok := checkNames[r.Check]; ok {
		return tr.T(key)
	}
	return r.Name
}
