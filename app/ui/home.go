package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// homeView is the main window during a shift: header with state, timer,
// registration and quality; dial pad on the left; the call panel on the right.
type homeView struct {
	c         *Controller
	root      fyne.CanvasObject
	state     *dotLabel
	stateSel  *widget.Select
	choices   []stateChoice
	updating  bool
	shiftTime *widget.Label
	reg       *dotLabel
	quality   *mosBars
	number    *widget.Entry
	dialBtn   *widget.Button
	redialBtn *widget.Button
	recent    *widget.List
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
	v.choices = []stateChoice{{t("state.available"), StateAvailable, ""}}
	for _, r := range c.be.Shift.NotReadyReasons() {
		v.choices = append(v.choices, stateChoice{t("state.notready.reason", r.Label), StateNotReady, r.Code})
	}
	v.choices = append(v.choices,
		stateChoice{t("state.break"), StateBreak, ""},
		stateChoice{t("state.wrapup"), StateWrapUp, ""},
		stateChoice{t("state.offline"), StateOffline, ""})
	var labels []string
	for _, ch := range v.choices {
		labels = append(labels, ch.label)
	}
	v.stateSel = widget.NewSelect(labels, v.choose)
	v.stateSel.PlaceHolder = t("state.change")
	v.reg = newDotLabel(colorIdle, t("reg.none"))
	settings := widget.NewButtonWithIcon("", theme.SettingsIcon(), c.openSettings)
	endShift := widget.NewButtonWithIcon(t("shift.end"), theme.LogoutIcon(), c.confirmEndShift)

	header := container.NewHBox(append(append([]fyne.CanvasObject{
		v.state.root, v.stateSel,
		widget.NewIcon(theme.HistoryIcon()), v.shiftTime,
		layout.NewSpacer(),
		v.reg.root,
		widget.NewLabel(t("quality.short")), v.quality.root,
	}, c.messageButtons()...), settings, endShift)...)

	v.number = widget.NewEntry()
	v.number.SetPlaceHolder(t("dial.placeholder"))
	v.number.OnSubmitted = func(string) { c.dial() }
	v.dialBtn = widget.NewButtonWithIcon(t("dial.call"), theme.MediaPlayIcon(), c.dial)
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
		v.number, pad, container.NewGridWithColumns(3, paste, v.redialBtn, v.dialBtn)))

	v.recent = widget.NewList(
		func() int { return len(c.recent) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(v.recentLine(c.recent[len(c.recent)-1-i]))
		},
	)
	v.recent.OnSelected = func(i widget.ListItemID) {
		v.number.SetText(c.recent[len(c.recent)-1-i].Remote)
		v.recent.UnselectAll()
	}
	v.idle = widget.NewCard(t("recent.title"), t("recent.hint"), v.recent)
	v.call = newCallPanel(c)
	v.panel = container.NewStack(v.idle)

	body := container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(300, 420), dialer), nil, v.panel)
	v.root = container.NewBorder(container.NewVBox(container.NewPadded(header), widget.NewSeparator()), nil, nil, nil, container.NewPadded(body))
	return v
}

func (v *homeView) recentLine(r RecentCall) string {
	t := v.c.tr.T
	dir := t("recent.in")
	if r.Direction == Outbound {
		dir = t("recent.out")
	}
	if r.Missed {
		dir = t("recent.missed")
	}
	if r.Missed {
		return fmt.Sprintf("%s  %s  %s", r.At.Format("15:04"), dir, r.Remote)
	}
	return fmt.Sprintf("%s  %s  %s  %s", r.At.Format("15:04"), dir, r.Remote, formatClock(r.Duration))
}

func (v *homeView) paste() {
	clip := v.c.app.Clipboard().Content()
	v.number.SetText(cleanNumber(clip))
}

// cleanNumber keeps what a dial string may hold: digits, +, *, # and SIP URIs.
func cleanNumber(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "sip:") || strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' || r == '+' || r == '*' || r == '#' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// choose applies the agent's pick in the state control.
func (v *homeView) choose(label string) {
	if v.updating {
		return
	}
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

// refresh redraws the header from the controller's state.
func (v *homeView) refresh() {
	c := v.c
	t := c.tr.T
	text := t(stateKeys[c.status.State])
	if c.status.State == StateNotReady && c.status.Reason != "" {
		text = t("state.notready.reason", c.reasonLabel(c.status.Reason))
	}
	v.state.set(stateColor(c.status.State), text)
	v.updating = true
	v.stateSel.ClearSelected()
	v.updating = false
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
}

func (v *homeView) tick() {
	c := v.c
	if !c.status.ShiftStart.IsZero() {
		setText(v.shiftTime, formatClock(c.now().Sub(c.status.ShiftStart)))
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
	return c.tr.T("reg.reconnecting", formatClock(c.now().Sub(c.reg.Since)))
}

func (c *Controller) reasonLabel(code string) string {
	for _, r := range c.be.Shift.NotReadyReasons() {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// setState asks the state machine for a new state.
func (c *Controller) setState(s AgentState, reason string) {
	c.async(func(ctx context.Context) func() {
		err := c.be.Shift.SetState(ctx, s, reason)
		return func() {
			if err != nil {
				dialog.ShowError(errorf(c.tr.T("state.fail", err.Error())), c.win)
			}
			c.home.refresh()
		}
	})
}

func (c *Controller) confirmEndShift() {
	if c.call != nil {
		dialog.ShowInformation(c.tr.T("shift.end"), c.tr.T("shift.end.oncall"), c.win)
		return
	}
	dialog.ShowConfirm(c.tr.T("shift.end"), c.tr.T("shift.end.confirm"), func(ok bool) {
		if ok {
			c.endShift()
		}
	}, c.win)
}

// endShift clocks out and shows the summary.
func (c *Controller) endShift() {
	c.async(func(ctx context.Context) func() {
		sum, err := c.be.Shift.ClockOut(ctx)
		return func() {
			if err != nil {
				dialog.ShowError(errorf(c.tr.T("shift.end.fail", err.Error())), c.win)
				return
			}
			c.shiftSum = sum
			c.status = ShiftStatus{State: StateOffline, Since: c.now()}
			c.report = nil
			c.setAlert("")
			c.refreshTray()
			c.showSummary()
		}
	})
}
