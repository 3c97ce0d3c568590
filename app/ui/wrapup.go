package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wrapUpView logs each finished call: outcome, note and ticket (an
// existing one, a new one prefilled from the call, or none), then the agent
// goes back to the state they were in before the call, or the one they pick.
// It never dead-ends: every failure says what to do and offers a way on,
// and the countdown waits while a save is failing.
type wrapUpView struct {
	c    *Controller
	root fyne.CanvasObject
	// call is the call being wrapped up; pending holds the next ones (a
	// call waiting ended meanwhile).
	call     *activeCall
	pending  []*activeCall
	deadline time.Time
	saving   bool
	// manual stops the countdown once a save failed: the agent decides.
	manual bool
	// loggedTicket is set once the call log is saved (a retry then only
	// finishes the state change).
	logged       bool
	loggedTicket string

	dispositions []Disposition
	queues       []string
	summary      *widget.Label
	form         *fyne.Container
	disposition  *widget.Select
	note         *keyEntry
	ticket       *widget.Select
	// newTicket are the new ticket's rows (label, field), shown with "New ticket".
	newTicket   []fyne.CanvasObject
	customer    *keyEntry
	queue       *widget.Select
	subject     *keyEntry
	next        *widget.Select
	nextChoices []stateChoice
	countdown   *widget.Label
	message     *widget.Label
	save        *widget.Button
	retry       *widget.Button
	noTicket    *widget.Button
}

func newWrapUpView(c *Controller) *wrapUpView {
	t := c.tr.T
	v := &wrapUpView{c: c}
	v.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.summary.Wrapping = fyne.TextWrapWord
	v.disposition = widget.NewSelect(nil, func(string) { v.message.SetText("") })
	v.disposition.PlaceHolder = t("wrap.disposition.choose")
	v.note = c.newMultiLineEntry()
	v.note.SetPlaceHolder(t("wrap.note.hint"))
	v.note.SetMinRowsVisible(3)
	v.ticket = c.newSelect(nil, func(string) { v.showNewTicket() })
	v.customer = c.newEntry()
	v.customer.SetPlaceHolder(t("wrap.ticket.customer.hint"))
	v.queue = widget.NewSelect(nil, nil)
	v.queue.PlaceHolder = t("wrap.ticket.queue.choose")
	v.subject = c.newEntry()
	v.newTicket = []fyne.CanvasObject{
		widget.NewLabel(t("wrap.ticket.customer")), v.customer,
		widget.NewLabel(t("wrap.ticket.queue")), v.queue,
		widget.NewLabel(t("wrap.ticket.subject")), v.subject}
	v.next = c.newSelect(nil, func(string) { v.tick() })
	v.countdown = widget.NewLabel("")
	v.message = widget.NewLabel("")
	v.message.Wrapping = fyne.TextWrapWord
	v.save = widget.NewButtonWithIcon(t("wrap.save")+"  (Ctrl+Enter)", theme.ConfirmIcon(), func() { v.submit(false) })
	v.save.Importance = widget.HighImportance
	v.retry = widget.NewButtonWithIcon(t("wrap.retry"), theme.ViewRefreshIcon(), func() { v.submit(false) })
	v.retry.Hide()
	v.noTicket = widget.NewButtonWithIcon(t("wrap.ticket.skip"), theme.ContentClearIcon(), v.saveWithoutTicket)
	v.noTicket.Hide()
	rows := []fyne.CanvasObject{
		widget.NewLabel(t("wrap.disposition")), v.disposition,
		widget.NewLabel(t("wrap.note")), v.note,
		widget.NewLabel(t("wrap.ticket")), v.ticket,
	}
	rows = append(rows, v.newTicket...)
	rows = append(rows, widget.NewLabel(t("wrap.next")), v.next)
	v.form = container.New(layout.NewFormLayout(), rows...)
	v.showNewTicket()
	v.root = widget.NewCard(t("wrap.title"), "", container.NewVScroll(container.NewVBox(
		v.summary, v.form, v.message,
		container.NewBorder(nil, nil, v.countdown, container.NewHBox(v.noTicket, v.retry, v.save)))))
	return v
}

// enqueue adds a finished call; the first one opens at once.
func (v *wrapUpView) enqueue(call *activeCall) {
	if v.call == nil {
		v.start(call)
		return
	}
	v.pending = append(v.pending, call)
}

// lastQueued is the latest call waiting for (or in) wrap-up.
func (v *wrapUpView) lastQueued() *activeCall {
	if n := len(v.pending); n > 0 {
		return v.pending[n-1]
	}
	return v.call
}

// start opens wrap-up for a finished call.
func (v *wrapUpView) start(call *activeCall) {
	c, t := v.c, v.c.tr.T
	v.call, v.saving, v.manual, v.logged, v.loggedTicket = call, false, false, false, ""
	v.deadline = c.now().Add(time.Duration(c.settings.WrapUpSeconds) * time.Second)
	v.note.SetText("")
	v.message.SetText("")
	v.message.Importance = widget.MediumImportance
	v.retry.Hide()
	v.noTicket.Hide()
	v.save.Enable()
	v.disposition.ClearSelected()
	v.queue.ClearSelected()
	v.customer.SetText(call.info.Display)
	if call.info.Display == "" {
		v.customer.SetText(call.info.Remote)
	}
	v.subject.SetText(t("wrap.ticket.subject.call", call.info.Started.Local().Format("2006-01-02 15:04")))
	v.setTickets(call.tickets)
	v.setNextChoices()
	v.loadLists()
	v.show()
}

// show redraws the summary line and the countdown.
func (v *wrapUpView) show() {
	call := v.call
	if call == nil {
		return
	}
	t := v.c.tr.T
	line := t("wrap.summary", displayName(call.info), formatClock(call.ended.Sub(call.info.Answered)))
	if call.transferredTo != "" {
		line += " · " + t("call.transferred", call.transferredTo)
	}
	if n := len(v.pending); n > 0 {
		line += " · " + v.c.tr.Count("wrap.more", n)
	}
	v.summary.SetText(line)
	v.tick()
}

// loadLists fetches the outcomes and the agent's queues.
func (v *wrapUpView) loadLists() {
	c, t := v.c, v.c.tr.T
	c.async(func(ctx context.Context) func() {
		list, derr := c.be.Tickets.Dispositions(ctx)
		queues, qerr := c.be.Tickets.Queues(ctx)
		return func() {
			if qerr == nil {
				v.queues = queues
				v.queue.SetOptions(queues)
				if len(queues) > 0 && v.queue.Selected == "" {
					v.queue.SetSelected(queues[0])
				}
			} else {
				c.log.Warn("queues not loaded", "err", qerr)
			}
			if derr != nil {
				v.fail(t("wrap.dispositions.fail", derr.Error()), false)
				return
			}
			v.setDispositions(list)
		}
	})
}

// setDispositions offers the backend's outcomes the agent may pick, in
// the agent's language; a transferred call has its outcome already.
func (v *wrapUpView) setDispositions(list []Disposition) {
	v.dispositions = nil
	var labels []string
	for _, d := range list {
		switch d.Code {
		case DispositionMissed, DispositionRejected, DispositionNone:
			continue // set by the app, never picked
		}
		v.dispositions = append(v.dispositions, d)
		labels = append(labels, v.c.dispositionLabel(d.Code, d.Label))
	}
	v.disposition.SetOptions(labels)
	if v.call != nil && v.call.transferredTo != "" {
		v.selectDisposition(DispositionTransferred)
	}
}

func (v *wrapUpView) selectDisposition(code string) {
	for _, d := range v.dispositions {
		if d.Code == code {
			v.disposition.SetSelected(v.c.dispositionLabel(d.Code, d.Label))
		}
	}
}

func (v *wrapUpView) dispositionCode() string {
	for _, d := range v.dispositions {
		if v.c.dispositionLabel(d.Code, d.Label) == v.disposition.Selected {
			return d.Code
		}
	}
	return ""
}

func (v *wrapUpView) setTickets(tickets []Ticket) {
	t := v.c.tr.T
	opts := []string{t("wrap.ticket.none"), t("wrap.ticket.new")}
	for _, tk := range tickets {
		opts = append(opts, ticketOption(tk))
	}
	v.ticket.SetOptions(opts)
	switch {
	case len(tickets) > 0:
		v.ticket.SetSelected(ticketOption(tickets[0]))
	default:
		v.ticket.SetSelected(opts[0])
	}
	v.showNewTicket()
}

// ticketsChanged takes the screen-pop's late answer for the call.
func (v *wrapUpView) ticketsChanged(call *activeCall) {
	if v.call == call && !v.logged {
		v.setTickets(call.tickets)
	}
}

func ticketOption(tk Ticket) string { return fmt.Sprintf("#%s %s", shortID(tk.ID), tk.Subject) }

// showNewTicket shows the new ticket's fields when "New ticket" is chosen.
func (v *wrapUpView) showNewTicket() {
	on := v.ticket.Selected == v.c.tr.T("wrap.ticket.new")
	for _, o := range v.newTicket {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	if v.root != nil {
		v.root.Refresh() // the form grew or shrank: lay out the card again
	}
}

// newTicketShown reports whether the new ticket's fields are on screen.
func (v *wrapUpView) newTicketShown() bool { return v.customer.Visible() }

// setNextChoices lists where the agent may go after the wrap-up: back to
// the state before the call first.
func (v *wrapUpView) setNextChoices() {
	c, t := v.c, v.c.tr.T
	back := t("wrap.next.back", c.stateText(c.thenState()))
	v.nextChoices = []stateChoice{{back, -1, ""}}
	for _, ch := range c.stateChoices() {
		if ch.state != StateOffline {
			v.nextChoices = append(v.nextChoices, ch)
		}
	}
	var labels []string
	for _, ch := range v.nextChoices {
		labels = append(labels, ch.label)
	}
	v.next.SetOptions(labels)
	v.next.SetSelected(back)
}

// refreshNext follows a state change (the header control) in the list.
func (v *wrapUpView) refreshNext() {
	if v.call == nil || len(v.nextChoices) == 0 || v.next.SelectedIndex() != 0 {
		return
	}
	v.setNextChoices()
	v.tick()
}

// thenState is where the agent goes after the wrap-up unless they choose.
func (c *Controller) thenState() (AgentState, string) {
	if n := c.status.Then; n != nil {
		return n.State, n.Reason
	}
	return StateAvailable, ""
}

// chosenNext is the agent's pick, nil for "back to the state before".
func (v *wrapUpView) chosenNext() *NextState {
	i := v.next.SelectedIndex()
	if i <= 0 || i >= len(v.nextChoices) {
		return nil
	}
	ch := v.nextChoices[i]
	return &NextState{State: ch.state, Reason: ch.reason}
}

func (v *wrapUpView) tick() {
	switch {
	case v.call != nil && v.manual:
		setText(v.countdown, v.c.tr.T("wrap.paused"))
		return
	case v.call == nil || v.saving || v.c.call != nil:
		setText(v.countdown, "")
		return
	}
	left := v.deadline.Sub(v.c.now())
	if left <= 0 {
		v.submit(true)
		return
	}
	s, r := v.c.thenState()
	if n := v.chosenNext(); n != nil {
		s, r = n.State, n.Reason
	}
	setText(v.countdown, v.c.tr.T("wrap.countdown", v.c.stateText(s, r), int(left.Seconds()+0.5)))
}

// fail says what went wrong and what to do; the countdown stops and
// everything typed stays.
func (v *wrapUpView) fail(msg string, retry bool) {
	v.saving, v.manual = false, true
	v.save.Enable()
	v.message.Importance = widget.DangerImportance
	v.message.SetText(msg)
	v.retry.Hidden = !retry
	v.retry.Refresh()
	setText(v.countdown, v.c.tr.T("wrap.paused"))
}

// saveWithoutTicket is the way on when the ticket cannot be written.
func (v *wrapUpView) saveWithoutTicket() {
	v.ticket.SetSelected(v.c.tr.T("wrap.ticket.none"))
	v.submit(false)
}

// submit logs the call; auto is true when the wrap-up time ran out, in
// which case a missing outcome is logged as none rather than lost.
func (v *wrapUpView) submit(auto bool) {
	c, t := v.c, v.c.tr.T
	call := v.call
	if call == nil || v.saving {
		return
	}
	log := CallLog{
		CallID: call.info.ID, Remote: call.info.Remote, Direction: call.info.Direction,
		Start: call.info.Started, Answered: call.info.Answered, End: call.ended,
		Disposition: v.dispositionCode(), Note: strings.TrimSpace(v.note.Text), Quality: call.quality,
		TransferredTo: call.transferredTo,
	}
	if log.Disposition == "" {
		switch {
		case call.transferredTo != "":
			log.Disposition = DispositionTransferred
		case auto || len(v.dispositions) == 0:
			log.Disposition = DispositionNone
		default:
			v.message.Importance = widget.DangerImportance
			v.message.SetText(t("wrap.disposition.need"))
			c.win.Canvas().Focus(v.disposition)
			return
		}
	}
	switch sel := v.ticket.Selected; sel {
	case t("wrap.ticket.new"):
		log.CreateTicket = true
		log.CustomerName = strings.TrimSpace(v.customer.Text)
		log.Queue = v.queue.Selected
		log.Subject = strings.TrimSpace(v.subject.Text)
		if log.CustomerName == "" {
			log.CustomerName = call.info.Remote
		}
		if log.Queue == "" {
			v.noTicket.Show()
			v.fail(t("wrap.ticket.noqueue"), false)
			return
		}
	default:
		for _, tk := range call.tickets {
			if ticketOption(tk) == sel {
				log.TicketID = tk.ID
			}
		}
	}
	next := v.chosenNext()
	v.saving = true
	v.save.Disable()
	v.retry.Hide()
	setText(v.countdown, "")
	v.message.Importance = widget.MediumImportance
	v.message.SetText(t("wrap.saving"))
	logged, ticketID := v.logged, v.loggedTicket
	c.async(func(ctx context.Context) func() {
		var err error
		if !logged {
			ticketID, err = c.be.Tickets.LogCall(ctx, log)
			for _, leg := range call.linked {
				if err != nil {
					break
				}
				_, err = c.be.Tickets.LogCall(ctx, legLog(leg, log))
			}
			if err != nil {
				return func() { v.logFailed(log, err) }
			}
		}
		serr := c.be.Shift.EndWrapUp(ctx, log.Disposition, next)
		return func() {
			v.logged, v.loggedTicket = true, ticketID
			v.done(call, log, ticketID, serr)
		}
	})
}

// logFailed keeps the form and offers the ways on.
func (v *wrapUpView) logFailed(log CallLog, err error) {
	t := v.c.tr.T
	if log.CreateTicket {
		v.noTicket.Show()
		v.fail(t("wrap.ticket.fail", err.Error()), true)
		return
	}
	v.fail(t("wrap.fail", err.Error()), true)
}

// legLog is the call log of a consultation leg, filed with its call.
func legLog(leg *activeCall, main CallLog) CallLog {
	return CallLog{CallID: leg.info.ID, Remote: leg.info.Remote, Direction: leg.info.Direction,
		Start: leg.info.Started, Answered: leg.info.Answered, End: leg.ended, Disposition: main.Disposition,
		TicketID: main.TicketID, Quality: leg.quality, TransferredTo: leg.transferredTo}
}

// done closes the wrap-up: the call goes to the recent list with its
// outcome, the agent is told where it was saved, the next wrap-up opens.
func (v *wrapUpView) done(call *activeCall, log CallLog, ticketID string, stateErr error) {
	c, t := v.c, v.c.tr.T
	rec := RecentCall{Direction: call.info.Direction, Remote: call.info.Remote, Name: call.info.Display,
		At: call.info.Started, Duration: call.ended.Sub(call.info.Answered), Disposition: log.Disposition,
		TransferredTo: call.transferredTo}
	c.recent = append(c.recent, rec)
	saved := t("wrap.saved")
	if ticketID != "" {
		saved = t("wrap.saved.ticket", shortID(ticketID))
	}
	c.home.recentBox.SetSubTitle(saved)
	v.call = nil
	if len(v.pending) > 0 {
		next := v.pending[0]
		v.pending = v.pending[1:]
		v.start(next)
	}
	c.refreshPanel()
	if stateErr != nil {
		c.showError(errorf(t("wrap.state.fail", stateErr.Error())))
	}
}

// resume takes over a wrap-up from the view it replaces (language change).
func (v *wrapUpView) resume(old *wrapUpView) {
	v.call, v.pending, v.deadline, v.manual, v.saving = old.call, old.pending, old.deadline, old.manual, old.saving
	v.logged, v.loggedTicket = old.logged, old.loggedTicket
	v.customer.SetText(old.customer.Text)
	v.subject.SetText(old.subject.Text)
	v.note.SetText(old.note.Text)
	v.setTickets(old.call.tickets)
	if i := old.ticket.SelectedIndex(); i >= 0 && i < len(v.ticket.Options) {
		v.ticket.SetSelectedIndex(i)
	}
	v.queues = old.queues
	v.queue.SetOptions(old.queues)
	v.queue.SetSelected(old.queue.Selected)
	v.setNextChoices()
	if i := old.next.SelectedIndex(); i >= 0 && i < len(v.next.Options) {
		v.next.SetSelectedIndex(i)
	}
	v.setDispositions(old.dispositions)
	if i := old.disposition.SelectedIndex(); i >= 0 && i < len(v.disposition.Options) {
		v.disposition.SetSelectedIndex(i)
	}
	v.message.Importance = old.message.Importance
	v.message.SetText(old.message.Text)
	v.retry.Hidden, v.noTicket.Hidden = old.retry.Hidden, old.noTicket.Hidden
	if v.saving {
		v.save.Disable()
	}
	v.show()
}
