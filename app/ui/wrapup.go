package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// wrapUpView logs the finished call: disposition, note and ticket link,
// then returns the agent to Available on click or when the time is up.
type wrapUpView struct {
	c        *Controller
	root     fyne.CanvasObject
	call     *activeCall
	duration time.Duration
	deadline time.Time
	saving   bool
	// manual stops the countdown once a save failed: the agent retries.
	manual       bool
	dispositions []Disposition
	summary      *widget.Label
	disposition  *widget.Select
	note         *widget.Entry
	ticket       *widget.Select
	countdown    *widget.Label
	message      *widget.Label
	save         *widget.Button
}

func newWrapUpView(c *Controller) *wrapUpView {
	t := c.tr.T
	v := &wrapUpView{c: c}
	v.summary = widget.NewLabel("")
	v.disposition = widget.NewSelect(nil, nil)
	v.disposition.PlaceHolder = t("wrap.disposition.choose")
	v.note = widget.NewMultiLineEntry()
	v.note.SetPlaceHolder(t("wrap.note.hint"))
	v.note.SetMinRowsVisible(4)
	v.note.Wrapping = fyne.TextWrapWord
	v.ticket = widget.NewSelect(nil, nil)
	v.countdown = widget.NewLabel("")
	v.message = widget.NewLabel("")
	v.message.Wrapping = fyne.TextWrapWord
	v.save = widget.NewButtonWithIcon(t("wrap.save"), theme.ConfirmIcon(), func() { v.submit(false) })
	v.save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(t("wrap.disposition"), v.disposition),
		widget.NewFormItem(t("wrap.note"), v.note),
		widget.NewFormItem(t("wrap.ticket"), v.ticket),
	)
	v.root = widget.NewCard(t("wrap.title"), "", container.NewVBox(
		v.summary, form, v.message,
		container.NewBorder(nil, nil, v.countdown, v.save)))
	return v
}

// start opens wrap-up for a finished call.
func (v *wrapUpView) start(call *activeCall, d time.Duration) {
	t := v.c.tr.T
	v.call, v.duration, v.saving, v.manual = call, d, false, false
	v.deadline = v.c.now().Add(time.Duration(v.c.settings.WrapUpSeconds) * time.Second)
	v.summary.SetText(t("wrap.summary", displayName(call.info), formatClock(d)))
	v.note.SetText("")
	v.message.SetText("")
	v.save.Enable()
	v.disposition.ClearSelected()
	v.setTickets(call.tickets)
	v.tick()
	v.c.async(func(ctx context.Context) func() {
		list, err := v.c.be.Tickets.Dispositions(ctx)
		return func() {
			if err != nil {
				v.message.SetText(t("wrap.dispositions.fail", err.Error()))
				return
			}
			v.dispositions = list
			var labels []string
			for _, d := range list {
				labels = append(labels, d.Label)
			}
			v.disposition.SetOptions(labels)
		}
	})
}

func (v *wrapUpView) setTickets(tickets []Ticket) {
	t := v.c.tr.T
	opts := []string{t("wrap.ticket.none"), t("wrap.ticket.new")}
	for _, tk := range tickets {
		opts = append(opts, ticketOption(tk))
	}
	v.ticket.SetOptions(opts)
	if len(tickets) > 0 {
		v.ticket.SetSelected(ticketOption(tickets[0]))
	} else {
		v.ticket.SetSelected(opts[0])
	}
}

func ticketOption(tk Ticket) string { return fmt.Sprintf("#%s %s", tk.ID, tk.Subject) }

func (v *wrapUpView) tick() {
	if v.call == nil || v.saving || v.manual {
		setText(v.countdown, "")
		return
	}
	left := v.deadline.Sub(v.c.now())
	if left <= 0 {
		v.submit(true)
		return
	}
	setText(v.countdown, v.c.tr.T("wrap.countdown", int(left.Seconds()+0.5)))
}

// submit logs the call; auto is true when the wrap-up time ran out, in
// which case a missing disposition is logged as empty rather than lost.
func (v *wrapUpView) submit(auto bool) {
	c := v.c
	if v.call == nil || v.saving {
		return
	}
	log := CallLog{
		CallID:    v.call.info.ID,
		Remote:    v.call.info.Remote,
		Direction: v.call.info.Direction,
		Start:     v.call.info.Started,
		Duration:  v.duration,
		Note:      v.note.Text,
		Quality:   v.call.quality,
	}
	for _, d := range v.dispositions {
		if d.Label == v.disposition.Selected {
			log.Disposition = d.Code
		}
	}
	if log.Disposition == "" && !auto {
		v.message.SetText(c.tr.T("wrap.disposition.need"))
		return
	}
	switch sel := v.ticket.Selected; sel {
	case c.tr.T("wrap.ticket.new"):
		log.CreateTicket = true
	default:
		for _, tk := range v.call.tickets {
			if ticketOption(tk) == sel {
				log.TicketID = tk.ID
			}
		}
	}
	v.saving = true
	v.save.Disable()
	v.countdown.SetText("")
	v.message.SetText(c.tr.T("wrap.saving"))
	c.async(func(ctx context.Context) func() {
		err := c.be.Tickets.LogCall(ctx, log)
		if err == nil {
			err = c.be.Shift.SetState(ctx, StateAvailable, "")
		}
		return func() {
			if err != nil {
				// Keep the form as it is: nothing typed is lost, the agent retries.
				v.saving = false
				v.manual = true
				v.save.Enable()
				v.message.SetText(c.tr.T("wrap.fail", err.Error()))
				return
			}
			v.call = nil
			c.lastCall = nil
			c.home.showPanel(c.home.idle)
			c.home.refresh()
		}
	})
}

// resume takes over a wrap-up from the view it replaces (language change).
func (v *wrapUpView) resume(old *wrapUpView) {
	v.call, v.duration, v.deadline, v.manual, v.saving = old.call, old.duration, old.deadline, old.manual, old.saving
	v.summary.SetText(v.c.tr.T("wrap.summary", displayName(old.call.info), formatClock(old.duration)))
	v.dispositions = old.dispositions
	v.disposition.SetOptions(old.disposition.Options)
	v.disposition.SetSelected(old.disposition.Selected)
	v.note.SetText(old.note.Text)
	v.setTickets(old.call.tickets)
	if i := old.ticket.SelectedIndex(); i >= 0 && i < len(v.ticket.Options) {
		v.ticket.SetSelectedIndex(i)
	}
	v.message.SetText(old.message.Text)
	if v.saving {
		v.save.Disable()
	}
	v.tick()
}
