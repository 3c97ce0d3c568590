package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// Event handlers and call actions. Call-driven state changes (On call,
// Wrap-up after a call) come from the core as ShiftStateChanged; the GUI
// only asks Shift for what the agent chose.

func (c *Controller) onRegistration(st RegStatus) {
	c.reg = st
	if (st.State == RegFailed || st.State == RegReconnecting) && c.status.State != StateOffline {
		detail := st.Detail
		if detail == "" {
			detail = c.tr.T("reg.failed")
		}
		c.regAlert = true
		c.setAlert(c.tr.T("alert.reg", detail))
		c.notify(c.tr.T("alert.reg.title"), c.tr.T("alert.reg", detail))
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
	c.status = st
	c.home.refresh()
	c.refreshTray()
}

func (c *Controller) onDeviceLost(device, message string) {
	c.setAlert(c.tr.T("alert.device", device, message))
	c.notify(c.tr.T("alert.device.title"), message)
	c.home.refresh()
}

func (c *Controller) onIncoming(info CallInfo) {
	if c.call != nil {
		// The core should not offer a second call; refuse it rather than
		// lose the one on screen.
		c.async(func(ctx context.Context) func() { _ = c.be.Phone.Reject(ctx, info.ID); return nil })
		return
	}
	call := &activeCall{info: info, ringing: true}
	call.stopRing = c.be.Ringer.Ring(c.settings.RingDevice, c.settings.Ringtone)
	c.call = call
	c.home.call.showIncoming(call)
	c.home.showPanel(c.home.call.incoming)
	c.notify(c.tr.T("call.incoming"), displayName(info))
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
			call.tickets = tickets
			if c.call == call {
				c.home.call.showTickets(call, err)
			}
		}
	})
}

func (c *Controller) onEstablished(info CallInfo) {
	call := c.call
	if call == nil || call.info.ID != info.ID {
		return
	}
	call.stopRinging()
	call.ringing = false
	call.info.Answered = info.Answered
	if call.info.Answered.IsZero() {
		call.info.Answered = c.now()
	}
	c.home.call.refreshActive()
	c.home.showPanel(c.home.call.active)
	c.refreshTray()
}

func (c *Controller) onClosed(id, by, reason string) {
	call := c.call
	if call == nil || call.info.ID != id {
		return
	}
	call.stopRinging()
	c.call = nil
	rec := RecentCall{Direction: call.info.Direction, Remote: call.info.Remote, At: call.info.Started}
	if rec.At.IsZero() {
		rec.At = c.now()
	}
	if call.info.Answered.IsZero() {
		rec.Missed = call.info.Direction == Inbound
		c.recent = append(c.recent, rec)
		c.home.showPanel(c.home.idle)
		if reason != "" && call.info.Direction == Outbound {
			c.notify(c.tr.T("call.failed"), reason)
		}
	} else {
		rec.Duration = c.now().Sub(call.info.Answered)
		c.recent = append(c.recent, rec)
		c.lastCall = call
		c.wrap.start(call, rec.Duration)
		c.home.showPanel(c.wrap.root)
	}
	c.home.refresh()
	c.refreshTray()
}

func (c *Controller) onQuality(id string, q Quality) {
	if c.call == nil || c.call.info.ID != id {
		return
	}
	c.call.quality = q
	c.home.call.setQuality(q)
	c.home.quality.set(q.MOS)
}

func (a *activeCall) stopRinging() {
	if a.stopRing != nil {
		a.stopRing()
		a.stopRing = nil
	}
}

func displayName(info CallInfo) string {
	if info.Display != "" {
		return info.Display + " " + info.Remote
	}
	return info.Remote
}

// notify shows a desktop notification.
func (c *Controller) notify(title, body string) {
	c.app.SendNotification(fyne.NewNotification(title, body))
}

// showPanel swaps the right-hand panel of the main window.
func (v *homeView) showPanel(o fyne.CanvasObject) {
	v.panel.Objects = []fyne.CanvasObject{o}
	v.panel.Refresh()
}

// callAction runs a phone action for the current call and reports a failure.
func (c *Controller) callAction(what string, act func(ctx context.Context, id string) error, after func()) {
	if c.call == nil {
		return
	}
	id := c.call.info.ID
	c.async(func(ctx context.Context) func() {
		err := act(ctx, id)
		return func() {
			if err != nil {
				dialog.ShowError(errorf(c.tr.T("call.action.fail", c.tr.T(what), err.Error())), c.win)
				return
			}
			if after != nil && c.call != nil && c.call.info.ID == id {
				after()
			}
		}
	})
}

func (c *Controller) answer() {
	if c.call == nil || !c.call.ringing {
		return
	}
	c.call.stopRinging()
	c.callAction("call.answer", c.be.Phone.Answer, nil)
}

func (c *Controller) reject() {
	if c.call == nil || !c.call.ringing {
		return
	}
	c.call.stopRinging()
	c.callAction("call.reject", c.be.Phone.Reject, nil)
}

func (c *Controller) hangup() {
	if c.call == nil {
		return
	}
	if c.call.ringing && c.call.info.Direction == Inbound {
		c.reject()
		return
	}
	c.callAction("call.hangup", c.be.Phone.Hangup, nil)
}

func (c *Controller) toggleMute() {
	if c.call == nil || c.call.ringing {
		return
	}
	on := !c.call.muted
	c.callAction("call.mute", func(_ context.Context, id string) error { return c.be.Phone.Mute(id, on) }, func() {
		c.call.muted = on
		c.home.call.refreshActive()
	})
}

func (c *Controller) toggleHold() {
	if c.call == nil || c.call.ringing {
		return
	}
	on := !c.call.onHold
	c.callAction("call.hold", func(ctx context.Context, id string) error { return c.be.Phone.Hold(ctx, id, on) }, func() {
		c.call.onHold = on
		c.home.call.refreshActive()
	})
}

func (c *Controller) sendDTMF(digit string) {
	c.callAction("call.dtmf", func(_ context.Context, id string) error { return c.be.Phone.SendDTMF(id, digit) }, nil)
}

func (c *Controller) transfer(target string) {
	target = cleanNumber(target)
	if target == "" {
		dialog.ShowInformation(c.tr.T("call.transfer"), c.tr.T("call.transfer.empty"), c.win)
		return
	}
	c.callAction("call.transfer", func(ctx context.Context, id string) error { return c.be.Phone.Transfer(ctx, id, target) }, nil)
}

// dial calls the number in the dial pad.
func (c *Controller) dial() {
	number := cleanNumber(c.home.number.Text)
	if number == "" {
		c.home.number.SetPlaceHolder(c.tr.T("dial.empty"))
		c.win.Canvas().Focus(c.home.number)
		return
	}
	if c.call != nil {
		return
	}
	c.lastDialed = number
	c.home.dialBtn.Disable()
	c.async(func(ctx context.Context) func() {
		info, err := c.be.Phone.Dial(ctx, number)
		return func() {
			c.home.dialBtn.Enable()
			if err != nil {
				dialog.ShowError(errorf(c.tr.T("dial.fail", number, err.Error())), c.win)
				return
			}
			if info.Started.IsZero() {
				info.Started = c.now()
			}
			info.Direction = Outbound
			if c.call != nil {
				return
			}
			c.call = &activeCall{info: info}
			c.home.number.SetText("")
			c.home.call.refreshActive()
			c.home.call.flags.SetText(c.tr.T("call.calling"))
			c.home.showPanel(c.home.call.active)
			c.lookupTickets(c.call)
			c.home.refresh()
		}
	})
}

func (c *Controller) redial() {
	if c.lastDialed == "" {
		return
	}
	c.home.number.SetText(c.lastDialed)
	c.dial()
}

// focusDial puts the cursor in the number entry (or dials what is there).
func (c *Controller) focusDial() {
	if c.frame.current != screenHome {
		return
	}
	if strings.TrimSpace(c.home.number.Text) != "" {
		c.dial()
		return
	}
	c.win.Canvas().Focus(c.home.number)
}
