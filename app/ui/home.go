package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeView is the main window during a shift: header with state, timers,
// registration and quality; dial pad on the left; the call panel on the right.
type homeView struct {
	c    *Controller
	root fyne.CanvasObject
	// header is re-laid out when its texts change (a longer state must
	// push the control beside it, never overlap it).
	header    *fyne.Container
	state     *dotLabel
	stateTime *widget.Label
	then      *widget.Label
	// stateBtn opens the menu of states the agent may pick.
	stateBtn  *widget.Button
	choices   []stateChoice
	shiftTime *widget.Label
	missed    *widget.Button
	reg       *dotLabel
	quality   *mosBars
	number    *keyEntry
	dialNote  *widget.Label
	dialBtn   *widget.Button
	redialBtn *widget.Button
	recent    *widget.List
	recentBox *widget.Card
	panel     *fyne.Container
	idle      fyne.CanvasObject
	call      *callPanel
}

// stateChoice is one entry of the state control.
type stateChoice struct {
	label  string
	state  AgentState
	reason string
}

func newHomeView(c *Controller) *homeView {
	t := c.tr.T
	v := &homeView{c: c, shiftTime: widget.NewLabel("0:00"), quality: newMOSBars()}
	v.state = newDotLabel(colorIdle, t("state.offline"))
	v.state.label.TextStyle = fyne.TextStyle{Bold: true}
	v.stateTime = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.then = widget.NewLabel("")
	v.choices = c.stateChoices()
	v.stateBtn = widget.NewButtonWithIcon(t("state.change"), theme.MenuDropDownIcon(), v.openStateMenu)
	v.stateBtn.IconPlacement = widget.ButtonIconTrailingText
	v.reg = newDotLabel(colorIdle, t("reg.none"))
	v.missed = widget.NewButtonWithIcon("", theme.WarningIcon(), v.seeMissed)
	v.missed.Importance = widget.DangerImportance
	v.missed.Hide()
	keys := widget.NewButtonWithIcon("", iconKeyboard, c.showShortcuts)
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), c.openSettings)
	endShift := widget.NewButtonWithIcon(t("shift.end"), theme.LogoutIcon(), c.confirmEndShift)

	shiftClock := container.NewHBox(widget.NewIcon(theme.HistoryIcon()), v.shiftTime)
	// Two rows: what the agent is doing, then the line and the shift.
	v.header = container.NewVBox(
		container.NewHBox(v.state.root, v.stateTime, v.then, v.stateBtn, layout.NewSpacer(), v.missed, endShift),
		container.NewHBox(append(append([]fyne.CanvasObject{shiftClock, v.reg.root, widget.NewLabel(t("quality.short")), v.quality.root, layout.NewSpacer()},
			c.messageButtons()...), keys, settings)...),
	)

	v.number = c.newEntry()
	v.number.SetPlaceHolder(t("dial.placeholder"))
	v.number.OnSubmitted = func(string) { c.dial() }
	v.number.rune = func(r rune) bool {
		// During a call the keyboard's digits go to the caller.
		if c.call != nil && !c.call.ringing && isDialKey(r) && r != '+' {
			c.sendDTMF(string(r))
			return true
		}
		return false
	}
	v.dialNote = widget.NewLabel("")
	v.dialNote.Wrapping = fyne.TextWrapWord
	v.dialNote.Importance = widget.DangerImportance
	v.dialBtn = widget.NewButtonWithIcon(t("dial.call"), iconCall, c.dial)
	v.dialBtn.Importance = widget.HighImportance
	v.redialBtn = widget.NewButtonWithIcon(t("dial.redial"), theme.MediaReplayIcon(), c.redial)
	paste := widget.NewButtonWithIcon(t("dial.paste"), theme.ContentPasteIcon(), v.paste)
	pad := newKeypad(func(k string) {
		if c.call != nil && !c.call.ringing {
			c.sendDTMF(k)
			return
		}
		v.number.SetText(v.number.Text + k)
	})
	dialer := widget.NewCard(t("dial.title"), "", container.NewVBox(
		v.number, pad, container.NewGridWithColumns(3, paste, v.redialBtn, v.dialBtn), v.dialNote))

	v.recent = widget.NewList(
		func() int { return len(c.recent) },
		func() fyne.CanvasObject {
			mark := canvas.NewRectangle(colorBad)
			mark.SetMinSize(fyne.NewSize(4, 4))
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewBorder(nil, nil, mark, nil, l)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := c.recent[len(c.recent)-1-i]
			row := o.(*fyne.Container)
			l := row.Objects[0].(*widget.Label)
			l.SetText(v.recentLine(r))
			l.Importance = widget.MediumImportance
			mark := row.Objects[1].(*canvas.Rectangle)
			mark.Hidden = !r.Missed
			if r.Missed {
				l.Importance = widget.DangerImportance
			}
			l.Refresh()
		},
	)
	v.recent.OnSelected = func(i widget.ListItemID) {
		v.number.SetText(c.recent[len(c.recent)-1-i].Remote)
		v.recent.UnselectAll()
		v.seeMissed()
	}
	v.recentBox = widget.NewCard(t("recent.title"), t("recent.hint"), v.recent)
	v.idle = v.recentBox
	v.call = newCallPanel(c)
	v.panel = container.NewStack(v.idle)

	body := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(300, 480), dialer), nil, v.panel)
	v.root = container.NewBorder(container.NewVBox(container.NewPadded(v.header), widget.NewSeparator()), nil, nil, nil, container.NewPadded(body))
	return v
}

// stateChoices are the states the agent may pick, with policy's reasons.
func (c *Controller) stateChoices() []stateChoice {
	t := c.tr.T
	out := []stateChoice{{t("state.available"), StateAvailable, ""}}
	var breaks []stateChoice
	for _, r := range c.be.Shift.Reasons() {
		switch r.State {
		case StateBreak:
			breaks = append(breaks, stateChoice{t("state.break.reason", c.reasonLabel(r.Code)), StateBreak, r.Code})
		default:
			out = append(out, stateChoice{t("state.notready.reason", c.reasonLabel(r.Code)), StateNotReady, r.Code})
		}
	}
	if len(breaks) == 0 {
		breaks = []stateChoice{{t("state.break"), StateBreak, ""}}
	}
	out = append(out, breaks...)
	return append(out, stateChoice{t("shift.end"), StateOffline, ""})
}

func (v *homeView) recentLine(r RecentCall) string {
	t := v.c.tr.T
	dir := t("recent.in")
	if r.Direction == Outbound {
		dir = t("recent.out")
	}
	switch {
	case r.Missed:
		dir = t("recent.missed")
	case r.Rejected:
		dir = t("recent.rejected")
	}
	who := r.Remote
	if r.Name != "" {
		who = r.Name + "  " + r.Remote
	}
	parts := []string{r.At.Local().Format("15:04"), dir, who}
	if !r.Missed && !r.Rejected && r.Duration > 0 {
		parts = append(parts, formatClock(r.Duration))
	}
	if r.Disposition != "" {
		parts = append(parts, v.c.dispositionLabel(r.Disposition, ""))
	}
	if r.TransferredTo != "" {
		parts = append(parts, t("recent.transferred", r.TransferredTo))
	}
	return strings.Join(parts, "  ·  ")
}

func (v *homeView) paste() {
	clip := v.c.app.Clipboard().Content()
	v.number.SetText(cleanNumber(clip))
}

// seeMissed shows the recent calls and clears the missed-call badge.
func (v *homeView) seeMissed() {
	v.c.unseenMissed = 0
	if v.c.call == nil && v.c.wrap.call == nil {
		v.showPanel(v.idle)
	}
	v.refresh()
	v.c.refreshTray()
}

// openStateMenu shows the states the agent may pick.
func (v *homeView) openStateMenu() {
	var items []*fyne.MenuItem
	for _, ch := range v.choices {
		label := ch.label
		items = append(items, fyne.NewMenuItem(label, func() { v.choose(label) }))
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(v.stateBtn).Add(fyne.NewPos(0, v.stateBtn.Size().Height))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), v.c.win.Canvas(), pos)
}

// choose applies the agent's pick in the state control.
func (v *homeView) choose(label string) {
	for _, ch := range v.choices {
		if ch.label != label {
			continue
		}
		if ch.state == StateOffline {
			v.c.confirmEndShift()
			v.refresh()
			return
		}
		v.c.setState(ch.state, ch.reason)
		return
	}
}

// stateText is the state in words, with its reason.
func (c *Controller) stateText(s AgentState, reason string) string {
	t := c.tr.T
	switch {
	case s == StateNotReady && reason != "":
		return t("state.notready.reason", c.reasonLabel(reason))
	case s == StateBreak && reason != "":
		return t("state.break.reason", c.reasonLabel(reason))
	}
	return t(stateKeys[s])
}

// refresh redraws the header from the controller's state.
func (v *homeView) refresh() {
	c := v.c
	t := c.tr.T
	text, color := c.stateText(c.status.State, c.status.Reason), stateColor(c.status.State)
	if c.status.State == StateOnCall && c.call != nil && c.call.onHold && !c.conference {
		// The agent is still on the call; the caller waits: say so.
		text, color = t("state.onhold"), colorWarn
	}
	v.state.set(color, text)
	then := ""
	if n := c.status.Then; n != nil && (c.status.State == StateOnCall || c.status.State == StateWrapUp) {
		then = t("state.then", c.stateText(n.State, n.Reason))
	}
	setText(v.then, then)
	switch c.reg.State {
	case RegRegistered:
		v.reg.set(colorGood, t("reg.ok", c.reg.Server))
	case RegRegistering:
		v.reg.set(colorWarn, t("reg.trying", c.reg.Server))
	case RegFailed:
		v.reg.set(colorBad, t("reg.failed"))
	case RegReconnecting:
		v.reg.set(colorWarn, v.reconnecting())
	default:
		v.reg.set(colorIdle, t("reg.none"))
	}
	if c.call != nil {
		v.quality.set(c.call.quality.MOS)
	} else {
		v.quality.set(0)
	}
	if c.unseenMissed > 0 {
		v.missed.SetText(c.tr.Count("recent.missed.badge", c.unseenMissed))
		v.missed.Show()
	} else {
		v.missed.Hide()
	}
	v.redialBtn.Disable()
	v.dialBtn.Disable()
	if c.call == nil {
		v.dialBtn.Enable()
		if c.lastDialed != "" {
			v.redialBtn.Enable()
		}
	}
	v.recent.Refresh()
	v.tick()
	v.header.Refresh()
}

func (v *homeView) tick() {
	c := v.c
	if !c.status.ShiftStart.IsZero() {
		setText(v.shiftTime, formatClock(c.since(c.status.ShiftStart)))
	}
	if !c.status.Since.IsZero() && c.status.State != StateOffline {
		setText(v.stateTime, formatClock(c.since(c.status.Since)))
	}
	if c.reg.State == RegReconnecting {
		setText(v.reg.label, v.reconnecting())
	}
	v.call.tick()
}

// reconnecting is the line label while the phone registers again, with
// the time the agent has been unreachable so far.
func (v *homeView) reconnecting() string {
	c := v.c
	if c.reg.Since.IsZero() {
		return c.tr.T("reg.reconnecting", formatClock(0))
	}
	return c.tr.T("reg.reconnecting", formatClock(c.since(c.reg.Since)))
}

// reasonLabel names a Not ready or Break reason in the agent's language:
// IT's own label for it, else the catalogue's, else the code.
func (c *Controller) reasonLabel(code string) string {
	for _, r := range c.be.Shift.Reasons() {
		if r.Code == code {
			if l := r.Labels[c.tr.Lang()]; l != "" {
				return l
			}
		}
	}
	return c.tr.Label("reason."+code, code)
}

// dispositionLabel names a wrap-up outcome in the agent's language.
func (c *Controller) dispositionLabel(code, backendLabel string) string {
	if backendLabel == "" {
		backendLabel = code
	}
	return c.tr.Label("disposition."+code, backendLabel)
}

// setState asks the state machine for a new state.
func (c *Controller) setState(s AgentState, reason string) {
	c.async(func(ctx context.Context) func() {
		err := c.be.Shift.SetState(ctx, s, reason)
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("state.fail", err.Error())))
			}
			c.home.refresh()
		}
	})
}

func (c *Controller) confirmEndShift() {
	if c.call != nil || c.held != nil || c.waiting != nil {
		c.showInfo(c.tr.T("shift.end"), c.tr.T("shift.end.oncall"))
		return
	}
	if c.wrap.call != nil {
		c.showInfo(c.tr.T("shift.end"), c.tr.T("shift.end.wrapup"))
		return
	}
	msg := widget.NewLabel(c.tr.T("shift.end.confirm"))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(c.tr.T("shift.end"), c.tr.T("shift.end.yes"), c.tr.T("shift.end.no"), msg, func(ok bool) {
		if ok {
			c.endShift()
		}
	}, c.win)
	d.Resize(fyne.NewSize(520, 0))
	c.track(d)
	d.Show()
}

// endShift clocks out and shows the summary.
func (c *Controller) endShift() {
	if c.call != nil || c.waiting != nil {
		return // a call came in meanwhile: it goes first
	}
	c.async(func(ctx context.Context) func() {
		sum, err := c.be.Shift.ClockOut(ctx)
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("shift.end.fail", err.Error())))
				return
			}
			c.shiftSum = sum
			c.status = ShiftStatus{State: StateOffline, Since: c.now()}
			c.report = nil
			c.setAlert("")
			c.setNotice("")
			c.refreshTray()
			c.showSummary()
		}
	})
}

// missedText is the recent list's missed count, for tests and the tray.
func (c *Controller) missedText() string {
	if c.unseenMissed == 0 {
		return ""
	}
	return fmt.Sprint(c.unseenMissed)
}
