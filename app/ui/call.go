package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// callPanel shows the ringing call (with the screen-pop) and the call in
// progress, with the other leg (held, consulted, conference) and a call
// waiting beside it.
type callPanel struct {
	c *Controller

	incoming  *fyne.Container
	ringTitle *widget.Label
	caller    *widget.Label
	number    *widget.Label
	answer    *widget.Button
	reject    *widget.Button

	active *fyne.Container
	remote *widget.Label
	timer  *widget.Label
	flags  *widget.Label
	dtmf   *widget.Label
	mute   *widget.Button
	hold   *widget.Button
	hangup *widget.Button
	target *keyEntry
	// transferBtn is blind transfer; consultBtn attended (with Consult).
	transferBtn *widget.Button
	consultBtn  *widget.Button
	notice      *widget.Label
	// failed says why the last outbound call failed, until the next one.
	failed string
	legs   *fyne.Container
	wait   *fyne.Container
	// flagRow holds the muted/transferred flags and the keys sent.
	flagRow *fyne.Container
	// legLine and waitLine carry the timers of the other leg and the call
	// waiting, updated every second.
	legLine  *widget.Label
	waitLine *widget.Label
	figures  *widget.Label
	bars     *mosBars
	warning  *canvas.Text

	// Both screen-pops: before answering and during the call.
	pop *screenPop
}

func newCallPanel(c *Controller) *callPanel {
	t := c.tr.T
	p := &callPanel{c: c}
	p.pop = newScreenPop(c, func() *activeCall { return c.call })

	p.ringTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.caller = heading("")
	p.caller.Wrapping = fyne.TextWrapWord
	p.number = widget.NewLabel("")
	p.answer = widget.NewButtonWithIcon(t("call.answer")+"  (Ctrl+Shift+A)", iconCall, c.answer)
	p.answer.Importance = widget.SuccessImportance
	p.reject = widget.NewButtonWithIcon(t("call.reject")+"  (Ctrl+Shift+E)", iconHangup, c.reject)
	p.reject.Importance = widget.DangerImportance
	ringBg := canvas.NewRectangle(colorRing)
	ringBg.CornerRadius = theme.InputRadiusSize()
	ringHead := container.NewStack(ringBg, container.NewPadded(container.NewVBox(p.ringTitle, p.caller, p.number)))
	p.incoming = container.NewBorder(
		container.NewVBox(ringHead, p.pop.title),
		container.NewGridWithColumns(2, p.reject, p.answer), nil, nil, p.pop.list)

	p.remote = heading("")
	p.remote.Wrapping = fyne.TextWrapWord
	p.timer = widget.NewLabelWithStyle("0:00", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
	p.flags = widget.NewLabel("")
	p.dtmf = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.mute = widget.NewButtonWithIcon(t("call.mute"), iconMic, c.toggleMute)
	p.hold = widget.NewButtonWithIcon(t("call.hold"), theme.MediaPauseIcon(), c.toggleHold)
	p.hangup = widget.NewButtonWithIcon(t("call.hangup"), iconHangup, c.hangup)
	p.hangup.Importance = widget.DangerImportance
	p.target = c.newEntry()
	p.target.SetPlaceHolder(t("call.transfer.to"))
	p.target.OnSubmitted = func(string) { c.transfer() }
	p.transferBtn = widget.NewButtonWithIcon(t("call.transfer"), iconTransfer, c.transfer)
	p.consultBtn = widget.NewButtonWithIcon(t("call.consult"), iconCall, c.consult)
	transferButtons := container.NewHBox(p.transferBtn)
	if c.be.Consult != nil {
		transferButtons.Add(p.consultBtn)
	}
	p.notice = widget.NewLabel("")
	p.notice.Wrapping = fyne.TextWrapWord
	p.flagRow = container.NewHBox(p.flags, p.dtmf)
	p.legs = container.NewVBox()
	p.wait = container.NewVBox()
	p.figures = widget.NewLabel("")
	p.bars = newMOSBars()
	p.warning = canvas.NewText("", colorBad)
	p.warning.TextStyle = fyne.TextStyle{Bold: true}
	quality := container.NewHBox(widget.NewLabel(t("quality.title")), p.bars.root, p.figures)
	controls := container.NewVBox(
		p.wait,
		container.NewBorder(nil, nil, nil, p.timer, p.remote),
		p.flagRow,
		container.NewGridWithColumns(3, p.mute, p.hold, p.hangup),
		container.NewBorder(nil, nil, nil, transferButtons, p.target),
		p.notice,
		p.legs,
		quality, p.warning,
		p.pop.title,
	)
	p.active = container.NewBorder(controls, nil, nil, nil, p.pop.list)
	return p
}

// reset clears what belonged to the previous call: the transfer field
// starts empty on every call, so one press never sends the next caller to
// the last one's number.
func (p *callPanel) reset() {
	p.target.SetText("")
	p.notice.SetText("")
	p.notice.Hide()
	p.failed = ""
}

// setNotice shows a line under the transfer field; bad ones are red.
func (p *callPanel) setNotice(text string, bad bool) {
	p.notice.Importance = widget.MediumImportance
	if bad {
		p.notice.Importance = widget.DangerImportance
	}
	p.notice.SetText(text)
	showIf(p.notice, text != "")
	p.active.Refresh()
}

// showIf shows o when on, hides it otherwise: empty lines take no room.
func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// refresh redraws the ringing or in-call panel from the controller.
func (p *callPanel) refresh() {
	call := p.c.call
	if call == nil {
		return
	}
	t := p.c.tr.T
	name, number := call.info.Display, call.info.Remote
	if name == "" {
		name, number = call.info.Remote, ""
	}
	p.caller.SetText(name)
	p.number.SetText(number)
	p.pop.refresh(call)
	if call.ringing && call.info.Direction == Inbound {
		p.tick()
		p.incoming.Refresh()
		return
	}
	p.remote.SetText(strings.TrimSpace(name + "  " + number))
	var flags []string
	p.mute.SetText(t("call.mute"))
	p.mute.SetIcon(iconMic)
	p.mute.Importance = widget.MediumImportance
	if call.muted {
		flags = append(flags, t("call.muted"))
		p.mute.SetText(t("call.unmute"))
		p.mute.SetIcon(iconMicOff)
		p.mute.Importance = widget.WarningImportance
	}
	p.hold.SetText(t("call.hold"))
	p.hold.SetIcon(theme.MediaPauseIcon())
	p.hold.Importance = widget.MediumImportance
	if call.onHold {
		p.hold.SetText(t("call.resume"))
		p.hold.SetIcon(theme.MediaPlayIcon())
		p.hold.Importance = widget.WarningImportance
	}
	if call.transferredTo != "" {
		flags = append(flags, t("call.transferred", call.transferredTo))
	}
	answered := !call.info.Answered.IsZero()
	for _, b := range []*widget.Button{p.mute, p.hold, p.transferBtn, p.consultBtn} {
		if answered && !p.c.conference {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if answered && p.c.conference {
		p.mute.Enable()
	}
	if p.c.held != nil {
		p.consultBtn.Disable()
	}
	p.mute.Refresh()
	p.hold.Refresh()
	p.flags.SetText(strings.Join(flags, " · "))
	p.dtmf.SetText("")
	if call.dtmf != "" {
		p.dtmf.SetText(t("call.dtmf.sent", call.dtmf))
	}
	if !answered && p.failed == "" {
		p.notice.SetText("")
	}
	if p.failed != "" {
		p.setNotice(p.failed, true)
	}
	showIf(p.flagRow, p.flags.Text != "" || p.dtmf.Text != "")
	showIf(p.notice, p.notice.Text != "")
	p.refreshLegs()
	p.refreshWaiting()
	p.setQuality(call.quality)
	p.tick()
	// Lines come and go (waiting call, other leg, notices): lay out again
	// so nothing is drawn over its neighbour.
	p.active.Refresh()
}

// refreshLegs shows the other call: held during a consultation or a call
// waiting answered, or the conference's two parties.
func (p *callPanel) refreshLegs() {
	c, t := p.c, p.c.tr.T
	p.legs.RemoveAll()
	p.legLine = nil
	other := c.held
	if other == nil {
		return
	}
	if c.conference {
		p.legs.Add(widget.NewLabelWithStyle(t("call.conference"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, leg := range []*activeCall{c.call, other} {
			leg := leg
			drop := widget.NewButtonWithIcon(t("call.drop"), iconHangup, func() { c.dropLeg(leg) })
			p.legs.Add(container.NewBorder(nil, nil, nil, drop, widget.NewLabel(displayName(leg.info))))
		}
		return
	}
	line := widget.NewLabel(p.otherLine())
	line.Wrapping = fyne.TextWrapWord
	p.legLine = line
	swap := widget.NewButtonWithIcon(t("call.swap"), iconSwap, c.swapCalls)
	buttons := []fyne.CanvasObject{swap}
	if c.call.consult && c.be.Consult != nil {
		complete := widget.NewButtonWithIcon(t("call.transfer.complete"), iconTransfer, c.completeTransfer)
		complete.Importance = widget.HighImportance
		merge := widget.NewButtonWithIcon(t("call.merge"), iconMerge, c.merge)
		cancel := widget.NewButtonWithIcon(t("call.consult.cancel"), theme.CancelIcon(), c.cancelConsult)
		if c.call.info.Answered.IsZero() {
			complete.Disable()
			merge.Disable()
			swap.Disable()
		}
		buttons = []fyne.CanvasObject{complete, swap, merge, cancel}
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	p.legs.Add(container.NewStack(bg, container.NewPadded(container.NewVBox(line, container.NewGridWithColumns(min(len(buttons), 2), buttons...)))))
}

// otherLine says who the other call is and how long it has been held.
func (p *callPanel) otherLine() string {
	c, t := p.c, p.c.tr.T
	state := t("call.onhold.for", formatClock(c.since(c.held.heldSince)))
	if !c.held.onHold {
		state = t("call.connected")
	}
	return t("call.other", displayName(c.held.info), state)
}

func (p *callPanel) waitingLine() string {
	w := p.c.waiting
	return p.c.tr.T("call.waiting", displayName(w.info), formatClock(p.c.since(w.info.Started)))
}

// refreshWaiting shows a second call ringing while on a call.
func (p *callPanel) refreshWaiting() {
	c, t := p.c, p.c.tr.T
	p.wait.RemoveAll()
	p.waitLine = nil
	if c.waiting == nil {
		return
	}
	line := widget.NewLabelWithStyle(p.waitingLine(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	line.Wrapping = fyne.TextWrapWord
	p.waitLine = line
	answer := widget.NewButtonWithIcon(t("call.waiting.answer"), iconCall, c.answer)
	answer.Importance = widget.SuccessImportance
	decline := widget.NewButtonWithIcon(t("call.reject"), iconHangup, c.reject)
	decline.Importance = widget.DangerImportance
	bg := canvas.NewRectangle(colorRing)
	bg.CornerRadius = theme.InputRadiusSize()
	p.wait.Add(container.NewStack(bg, container.NewPadded(container.NewVBox(line, container.NewGridWithColumns(2, decline, answer)))))
}

func (p *callPanel) setQuality(q Quality) {
	t := p.c.tr.T
	p.bars.set(q.MOS)
	if q.MOS == 0 {
		setText(p.figures, t("quality.waiting"))
	} else {
		setText(p.figures, t("quality.figures", q.MOS, q.LossPercent, q.JitterMs, q.Codec))
	}
	warn := ""
	if q.Degraded() {
		warn = t("quality.degraded")
	}
	if p.warning.Text != warn {
		p.warning.Text = warn
		p.warning.Refresh()
	}
}

// tick updates the ring, call and hold timers.
func (p *callPanel) tick() {
	c := p.c
	call := c.call
	if call == nil {
		return
	}
	t := c.tr.T
	switch {
	case call.ringing && call.info.Direction == Inbound:
		setText(p.ringTitle, t("call.ringing", formatClock(c.since(call.info.Started))))
	case call.info.Answered.IsZero():
		setText(p.timer, t("call.calling.for", formatClock(c.since(call.info.Started))))
	case call.onHold:
		setText(p.timer, t("call.onhold.for", formatClock(c.since(call.heldSince))))
	default:
		setText(p.timer, formatClock(c.since(call.info.Answered)))
	}
	if c.waiting != nil && p.waitLine != nil {
		setText(p.waitLine, p.waitingLine())
	}
	if c.held != nil && !c.conference && p.legLine != nil {
		setText(p.legLine, p.otherLine())
	}
}

// newKeypad is the 3×4 dial pad; each key calls press with its digit.
func newKeypad(press func(string)) fyne.CanvasObject {
	keys := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"}
	var buttons []fyne.CanvasObject
	for _, k := range keys {
		b := widget.NewButton(k, func() { press(k) })
		buttons = append(buttons, b)
	}
	return container.NewGridWithColumns(3, buttons...)
}

// screenPop lists a caller's tickets: id, subject, translated status,
// when and by whom, and the last note; a row opens the whole thread.
type screenPop struct {
	c     *Controller
	of    func() *activeCall
	title *widget.Label
	list  *widget.List
}

func newScreenPop(c *Controller, of func() *activeCall) *screenPop {
	s := &screenPop{c: c, of: of, title: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	s.title.Wrapping = fyne.TextWrapWord
	s.list = widget.NewList(
		func() int {
			if call := s.of(); call != nil {
				return len(call.tickets)
			}
			return 0
		},
		func() fyne.CanvasObject {
			head := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			head.Truncation = fyne.TextTruncateEllipsis
			meta := widget.NewLabel("")
			meta.Truncation = fyne.TextTruncateEllipsis
			meta.SizeName = theme.SizeNameCaptionText
			note := widget.NewLabel("")
			note.Truncation = fyne.TextTruncateEllipsis
			note.TextStyle = fyne.TextStyle{Italic: true}
			return container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), head, meta, note)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			call := s.of()
			if call == nil || i >= len(call.tickets) {
				return
			}
			tk := call.tickets[i]
			rows := o.(*fyne.Container).Objects
			rows[0].(*widget.Label).SetText(fmt.Sprintf("#%s  %s", shortID(tk.ID), tk.Subject))
			rows[1].(*widget.Label).SetText(s.c.ticketMeta(tk))
			rows[2].(*widget.Label).SetText(lastNote(s.c, tk))
		})
	s.list.OnSelected = func(i widget.ListItemID) {
		s.list.UnselectAll()
		if call := s.of(); call != nil && i < len(call.tickets) {
			c.openTicket(call.tickets[i].ID)
		}
	}
	return s
}

// refresh shows the lookup's outcome for call.
func (s *screenPop) refresh(call *activeCall) {
	t := s.c.tr.T
	switch {
	case !call.looked:
		s.title.SetText(t("pop.loading"))
	case call.lookupErr != nil:
		s.title.SetText(t("pop.error", call.lookupErr.Error()))
	case len(call.tickets) == 0:
		s.title.SetText(t("pop.none"))
	default:
		if len(call.tickets) == 1 {
			s.title.SetText(t("pop.count.one"))
		} else {
			s.title.SetText(t("pop.count", len(call.tickets)))
		}
	}
	s.list.Refresh()
}

// ticketMeta is a ticket's status, queue and last change in words.
func (c *Controller) ticketMeta(tk Ticket) string {
	parts := []string{c.statusLabel(tk.Status)}
	if tk.Queue != "" {
		parts = append(parts, tk.Queue)
	}
	at, by := lastActivity(tk)
	if !at.IsZero() {
		when := at.Local().Format("2006-01-02 15:04")
		if by != "" {
			parts = append(parts, c.tr.T("ticket.updated.by", when, by))
		} else {
			parts = append(parts, c.tr.T("ticket.updated", when))
		}
	}
	return strings.Join(parts, " · ")
}

// lastNote is the latest note of the thread on one line.
func lastNote(c *Controller, tk Ticket) string {
	if len(tk.Notes) == 0 {
		return c.tr.T("ticket.nonotes")
	}
	n := tk.Notes[len(tk.Notes)-1]
	return c.tr.T("ticket.lastnote", n.Author, strings.Join(strings.Fields(n.Body), " "))
}

// shortID keeps long generated ids readable in a list.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:8]
	}
	return id
}
