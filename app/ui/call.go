package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// callPanel shows the ringing call (with the screen-pop) and the call in
// progress.
type callPanel struct {
	c *Controller

	incoming *fyne.Container
	caller   *widget.Label
	popTitle *widget.Label
	tickets  *widget.List
	answer   *widget.Button
	reject   *widget.Button

	active    *fyne.Container
	remote    *widget.Label
	timer     *widget.Label
	flags     *widget.Label
	mute      *widget.Button
	hold      *widget.Button
	hangup    *widget.Button
	target    *widget.Entry
	transfer  *widget.Button
	figures   *widget.Label
	bars      *mosBars
	warning   *canvas.Text
	callPop   *widget.List
	ticketsOf func() []Ticket
}

func newCallPanel(c *Controller) *callPanel {
	t := c.tr.T
	p := &callPanel{c: c}
	p.ticketsOf = func() []Ticket {
		if c.call == nil {
			return nil
		}
		return c.call.tickets
	}
	p.caller = heading("")
	p.popTitle = widget.NewLabel(t("pop.loading"))
	p.tickets = p.ticketList()
	p.answer = widget.NewButtonWithIcon(t("call.answer"), theme.MediaPlayIcon(), c.answer)
	p.answer.Importance = widget.HighImportance
	p.reject = widget.NewButtonWithIcon(t("call.reject"), theme.CancelIcon(), c.reject)
	p.reject.Importance = widget.DangerImportance
	p.incoming = container.NewBorder(
		container.NewVBox(widget.NewLabel(t("call.incoming")), p.caller, p.popTitle),
		container.NewGridWithColumns(2, p.reject, p.answer), nil, nil, p.tickets)

	p.remote = heading("")
	p.timer = widget.NewLabelWithStyle("0:00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
	p.flags = widget.NewLabel("")
	p.mute = widget.NewButtonWithIcon(t("call.mute"), theme.VolumeMuteIcon(), c.toggleMute)
	p.hold = widget.NewButtonWithIcon(t("call.hold"), theme.MediaPauseIcon(), c.toggleHold)
	p.hangup = widget.NewButtonWithIcon(t("call.hangup"), theme.CancelIcon(), c.hangup)
	p.hangup.Importance = widget.DangerImportance
	p.target = widget.NewEntry()
	p.target.SetPlaceHolder(t("call.transfer.to"))
	p.transfer = widget.NewButtonWithIcon(t("call.transfer"), theme.MailForwardIcon(), func() { c.transfer(p.target.Text) })
	p.figures = widget.NewLabel("")
	p.bars = newMOSBars()
	p.warning = canvas.NewText("", colorBad)
	p.warning.TextStyle = fyne.TextStyle{Bold: true}
	p.callPop = p.ticketList()
	quality := widget.NewCard(t("quality.title"), "", container.NewVBox(
		container.NewHBox(p.bars.root, p.figures), p.warning))
	controls := container.NewVBox(
		container.NewHBox(p.remote, p.timer, p.flags),
		container.NewGridWithColumns(3, p.mute, p.hold, p.hangup),
		container.NewBorder(nil, nil, nil, p.transfer, p.target),
		widget.NewLabel(t("call.dtmf.hint")),
		quality,
	)
	p.active = container.NewBorder(controls, nil, nil, nil,
		widget.NewCard(t("pop.title"), "", p.callPop))
	return p
}

func (p *callPanel) ticketList() *widget.List {
	return widget.NewList(
		func() int { return len(p.ticketsOf()) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			tk := p.ticketsOf()[i]
			o.(*widget.Label).SetText(fmt.Sprintf("#%s  %s  [%s]  %s", tk.ID, tk.Subject, tk.Status, tk.Updated.Format("2006-01-02")))
		})
}

// showIncoming fills the ringing panel.
func (p *callPanel) showIncoming(call *activeCall) {
	name := call.info.Remote
	if call.info.Display != "" {
		name = fmt.Sprintf("%s  (%s)", call.info.Display, call.info.Remote)
	}
	p.caller.SetText(name)
	p.popTitle.SetText(p.c.tr.T("pop.loading"))
	p.tickets.Refresh()
}

// showTickets updates the screen-pop once the lookup returns.
func (p *callPanel) showTickets(call *activeCall, err error) {
	t := p.c.tr.T
	switch {
	case err != nil:
		p.popTitle.SetText(t("pop.error", err.Error()))
	case len(call.tickets) == 0:
		p.popTitle.SetText(t("pop.none"))
	default:
		p.popTitle.SetText(t("pop.count", len(call.tickets)))
	}
	p.tickets.Refresh()
	p.callPop.Refresh()
}

// refreshActive redraws the in-call controls.
func (p *callPanel) refreshActive() {
	call := p.c.call
	if call == nil {
		return
	}
	t := p.c.tr.T
	name := call.info.Remote
	if call.info.Display != "" {
		name = call.info.Display + " " + call.info.Remote
	}
	p.remote.SetText(name)
	var flags []string
	p.mute.SetText(t("call.mute"))
	p.mute.Importance = widget.MediumImportance
	if call.muted {
		flags = append(flags, t("call.muted"))
		p.mute.SetText(t("call.unmute"))
		p.mute.Importance = widget.WarningImportance
	}
	p.hold.SetText(t("call.hold"))
	p.hold.Importance = widget.MediumImportance
	if call.onHold {
		flags = append(flags, t("call.onhold"))
		p.hold.SetText(t("call.resume"))
		p.hold.Importance = widget.WarningImportance
	}
	p.mute.Refresh()
	p.hold.Refresh()
	p.flags.SetText(joinFlags(flags))
	p.setQuality(call.quality)
	p.callPop.Refresh()
	p.tick()
}

func joinFlags(flags []string) string {
	s := ""
	for i, f := range flags {
		if i > 0 {
			s += " · "
		}
		s += f
	}
	return s
}

func (p *callPanel) setQuality(q Quality) {
	t := p.c.tr.T
	p.bars.set(q.MOS)
	if q.MOS == 0 {
		p.figures.SetText(t("quality.waiting"))
	} else {
		p.figures.SetText(t("quality.figures", q.MOS, q.LossPercent, q.JitterMs, q.Codec))
	}
	p.warning.Text = ""
	if q.Degraded() {
		p.warning.Text = t("quality.degraded")
	}
	p.warning.Refresh()
}

func (p *callPanel) tick() {
	call := p.c.call
	if call == nil || call.ringing || call.info.Answered.IsZero() {
		return
	}
	setText(p.timer, formatClock(p.c.now().Sub(call.info.Answered)))
}

// newKeypad is the 3×4 dial pad; each key calls press with its digit.
func newKeypad(press func(string)) fyne.CanvasObject {
	keys := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"}
	var buttons []fyne.CanvasObject
	for _, k := range keys {
		buttons = append(buttons, widget.NewButton(k, func() { press(k) }))
	}
	return container.NewGridWithColumns(3, buttons...)
}
