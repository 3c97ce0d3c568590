package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Event handlers. Call-driven state changes (On call, Wrap-up after a
// call) come from the core as ShiftStateChanged; the GUI only asks Shift
// for what the agent chose.

func (c *Controller) onRegistration(st RegStatus) {
	c.reg = st
	if (st.State == RegFailed || st.State == RegReconnecting) && c.status.State != StateOffline {
		detail := st.Detail
		if detail == "" {
			detail = c.tr.T("reg.failed")
		}
		// Reconnecting retries by itself; Failed waits for the agent.
		key := "alert.reg"
		if st.State == RegFailed {
			key = "alert.reg.refused"
		}
		c.regAlert = true
		c.setAlert(c.tr.T(key, detail))
		c.notify(c.tr.T(key+".title"), c.tr.T(key, detail))
	}
	if st.State == RegRegistered && c.regAlert {
		c.regAlert = false
		c.setAlert("")
	}
	c.home.refresh()
	c.refreshTray()
}

func (c *Controller) onShiftState(st ShiftStatus) {
	if st.ShiftStart.IsZero() {
		st.ShiftStart = c.status.ShiftStart
	}
	if st.Since.IsZero() {
		st.Since = c.now()
	}
	prev := c.status
	c.status = st
	missed := st.State == StateNotReady && st.Reason == ReasonMissedCall
	switch {
	case missed && !(prev.State == StateNotReady && prev.Reason == ReasonMissedCall):
		// A missed call made the agent Not ready (IT policy): say why and
		// the way back, until they leave that state.
		c.setNotice(c.tr.T("notice.missed_call"))
		c.missedNotice = true
	case !missed && c.missedNotice:
		c.missedNotice = false
		c.setNotice("")
	}
	c.home.refresh()
	c.wrap.refreshNext()
	c.refreshTray()
}

func (c *Controller) onDeviceLost(device, message string) {
	c.setCheckAlert(c.tr.T("alert.device", device, message))
	c.notify(c.tr.T("alert.device.title"), message)
	c.home.refresh()
}

// onIncoming rings: the ringing panel with the caller and the screen-pop,
// the ringtone, a desktop notification. A call while on a call waits
// beside it (answer holds the first). Dialogs are closed first: nothing
// rings unseen behind one.
func (c *Controller) onIncoming(info CallInfo) {
	info.Remote = c.be.Normalize(info.Remote)
	if info.Remote == WithheldNumber {
		info.Display = c.tr.T("call.withheld")
	}
	if info.Started.IsZero() {
		info.Started = c.now()
	}
	call := &activeCall{info: info, ringing: true}
	switch {
	case c.call == nil:
		c.call = call
		c.home.call.reset()
	case c.waiting == nil && !c.call.ringing && c.held == nil:
		c.waiting = call
	default:
		// A third call: refuse it rather than lose one on screen.
		c.async(func(ctx context.Context) func() { _ = c.be.Phone.Reject(ctx, info.ID); return nil })
		return
	}
	c.closeDialogs()
	call.stopRing = c.be.Ringer.Ring(c.settings.RingDevice, c.settings.Ringtone)
	if c.frame.current != screenHome {
		c.showHome()
	}
	c.refreshPanel()
	c.notify(c.tr.T("call.incoming"), displayName(info))
	c.win.Show()
	c.win.RequestFocus()
	c.refreshTray()
	c.lookupTickets(call)
}

// lookupTickets fills the screen-pop from the ticket client.
func (c *Controller) lookupTickets(call *activeCall) {
	phone := call.info.Remote
	c.async(func(ctx context.Context) func() {
		tickets, err := c.be.Tickets.LookupByPhone(ctx, phone)
		return func() {
			call.tickets, call.lookupErr, call.looked = tickets, err, true
			if name := customerOf(tickets); call.info.Display == "" && name != "" {
				call.info.Display = name
			}
			c.home.call.refresh()
			c.wrap.ticketsChanged(call)
		}
	})
}

// customerOf is the caller's name from their tickets, when they agree.
func customerOf(tickets []Ticket) string {
	for _, t := range tickets {
		if t.Customer != "" {
			return t.Customer
		}
	}
	return ""
}

// findCall returns the call on screen with this id and which slot holds it.
func (c *Controller) findCall(id string) *activeCall {
	for _, call := range []*activeCall{c.call, c.held, c.waiting} {
		if call != nil && call.info.ID == id {
			return call
		}
	}
	return nil
}

func (c *Controller) onEstablished(info CallInfo) {
	call := c.findCall(info.ID)
	if call == nil {
		return
	}
	call.stopRinging()
	call.ringing = false
	call.info.Answered = info.Answered
	if call.info.Answered.IsZero() {
		call.info.Answered = c.now()
	}
	if call == c.waiting {
		// Answering the waiting call put the other on hold.
		c.held, c.call, c.waiting = c.call, call, nil
		c.home.call.reset()
	}
	c.refreshPanel()
	c.refreshTray()
}

func (c *Controller) onClosed(id, by, reason string) {
	call := c.findCall(id)
	if call == nil {
		return
	}
	call.stopRinging()
	call.ended = c.now()
	answered := !call.info.Answered.IsZero()
	switch call {
	case c.waiting:
		c.waiting = nil
	case c.held:
		c.held, c.conference = nil, false
	case c.call:
		c.call, c.conference = nil, false
		switch {
		case c.held != nil:
			c.call, c.held = c.held, nil
		case c.waiting != nil:
			c.call, c.waiting = c.waiting, nil
		}
	}
	if !answered {
		c.notAnswered(call, reason)
	} else {
		if reason != "" {
			// Not a hang-up by either side: the network cut it (the far
			// end may still wait on the line). Say so where it is seen.
			msg := c.tr.T("call.lost.reason", displayName(call.info), reason)
			c.regAlert = false
			c.setAlert(msg)
			c.notify(c.tr.T("call.lost"), msg)
		}
		c.answeredEnded(call)
	}
	c.refreshPanel()
	c.home.refresh()
	c.refreshTray()
}

// notAnswered files a call that ended before anyone answered: a missed or
// declined inbound call, or an outbound call that failed.
func (c *Controller) notAnswered(call *activeCall, reason string) {
	info := call.info
	rec := RecentCall{Direction: info.Direction, Remote: info.Remote, Name: info.Display, At: info.Started}
	if info.Direction == Inbound {
		rec.Missed, rec.Rejected = !call.declined, call.declined
		if !call.declined {
			c.unseenMissed++
			c.notify(c.tr.T("call.missed"), displayName(info))
		}
		c.logUnanswered(call)
	} else if reason != "" {
		c.home.call.failed = c.tr.T("call.failed.reason", displayName(info), reason)
		c.notify(c.tr.T("call.failed"), reason)
	}
	if call.consult && c.call != nil {
		c.home.call.failed = c.tr.T("call.consult.failed", displayName(info), reason)
	}
	c.recent = append(c.recent, rec)
}

// answeredEnded hands an answered call to wrap-up; a consultation is
// logged with the call it was about.
func (c *Controller) answeredEnded(call *activeCall) {
	if call.consult {
		if owner := c.ownerOf(call); owner != nil {
			owner.linked = append(owner.linked, call)
			return
		}
	}
	c.wrap.enqueue(call)
}

// ownerOf is the customer call a consultation leg belongs to: the call on
// screen or, once that ended, the one waiting for its wrap-up.
func (c *Controller) ownerOf(leg *activeCall) *activeCall {
	for _, call := range []*activeCall{c.call, c.held} {
		if call != nil && call != leg && !call.consult {
			return call
		}
	}
	return c.wrap.lastQueued()
}

// logUnanswered logs a missed or declined call to the backend: every call,
// answered or not, is in the call log.
func (c *Controller) logUnanswered(call *activeCall) {
	info := call.info
	disp := DispositionMissed
	if call.declined {
		disp = DispositionRejected
	}
	end := call.ended
	if end.IsZero() {
		end = c.now()
	}
	log := CallLog{CallID: info.ID, Remote: info.Remote, Direction: info.Direction, Start: info.Started, End: end,
		Disposition: disp, CustomerName: info.Display}
	c.async(func(ctx context.Context) func() {
		_, err := c.be.Tickets.LogCall(ctx, log)
		if err != nil {
			return func() { c.log.Warn("unanswered call not logged", "call", info.ID, "err", err) }
		}
		return nil
	})
}

func (c *Controller) onQuality(id string, q Quality) {
	call := c.findCall(id)
	if call == nil {
		return
	}
	call.quality = q
	if call == c.call {
		c.home.call.setQuality(q)
		c.home.quality.set(q.MOS)
	}
}

func (a *activeCall) stopRinging() {
	if a.stopRing != nil {
		a.stopRing()
		a.stopRing = nil
	}
}

func displayName(info CallInfo) string {
	if info.Display != "" && info.Remote == WithheldNumber {
		return info.Display
	}
	if info.Display != "" {
		return info.Display + " " + info.Remote
	}
	return info.Remote
}

// notify shows a desktop notification (where the desktop has a
// notification service; Fyne sends it over D-Bus on Linux).
func (c *Controller) notify(title, body string) {
	c.app.SendNotification(fyne.NewNotification(title, body))
}

// showPanel swaps the right-hand panel of the main window.
func (v *homeView) showPanel(o fyne.CanvasObject) {
	if len(v.panel.Objects) == 1 && v.panel.Objects[0] == o {
		return
	}
	v.panel.Objects = []fyne.CanvasObject{o}
	v.panel.Refresh()
}

// refreshPanel shows what the agent needs now: the ringing call, the call
// in progress, the wrap-up, or the recent calls.
func (c *Controller) refreshPanel() {
	switch {
	case c.call != nil && c.call.ringing && c.call.info.Direction == Inbound:
		c.home.call.refresh()
		c.home.showPanel(c.home.call.incoming)
	case c.call != nil:
		c.home.call.refresh()
		c.home.showPanel(c.home.call.active)
	case c.wrap.call != nil:
		c.wrap.show()
		c.home.showPanel(c.wrap.root)
	default:
		c.home.showPanel(c.home.idle)
	}
	c.home.refresh()
}

// closeDialogs hides the dialogs the app opened.
func (c *Controller) closeDialogs() {
	for _, d := range c.dialogs {
		d.Hide()
	}
	c.dialogs = nil
}

// track remembers an open dialog so an incoming call can close it.
func (c *Controller) track(d dialog.Dialog) dialog.Dialog {
	c.dialogs = append(c.dialogs, d)
	d.SetOnClosed(func() {
		for i, o := range c.dialogs {
			if o == d {
				c.dialogs = append(c.dialogs[:i], c.dialogs[i+1:]...)
				break
			}
		}
	})
	return d
}

// showError shows a failure and what to do, in the agent's language
// (Fyne's own error dialog says "Error" and "OK" in the system's).
func (c *Controller) showError(err error) {
	c.showInfo(c.tr.T("err.title"), err.Error())
}

// showInfo shows a message with a Close button in the agent's language.
func (c *Controller) showInfo(title, msg string) {
	text := widget.NewLabel(msg)
	text.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, c.tr.T("keys.close"), text, c.win)
	d.Resize(fyne.NewSize(520, 0))
	c.track(d)
	d.Show()
}

// since is the time from t to now, never negative.
func (c *Controller) since(t time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	return c.now().Sub(t)
}
