package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Call actions: what the buttons, the shortcuts and the tray do.

// callAction runs a phone action for call and reports a failure with what
// to do; after runs on success if the call is still on screen.
func (c *Controller) callAction(call *activeCall, what string, act func(ctx context.Context, id string) error, after func()) {
	if call == nil {
		return
	}
	id := call.info.ID
	c.async(func(ctx context.Context) func() {
		err := act(ctx, id)
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("call.action.fail", c.tr.T(what), err.Error())))
				return
			}
			if after != nil && c.findCall(id) != nil {
				after()
			}
		}
	})
}

// onHeadsetButton does what the headset's call buttons mean now.
func (c *Controller) onHeadsetButton(k HeadsetKey) {
	ringing := (c.call != nil && c.call.ringing && c.call.info.Direction == Inbound) || c.waiting != nil
	switch k {
	case HeadsetAnswer:
		if ringing {
			c.answer()
		}
	case HeadsetHangup:
		if c.waiting != nil {
			c.reject() // the second call: the first one goes on
			return
		}
		c.hangup()
	case HeadsetReject:
		if ringing {
			c.reject()
		}
	case HeadsetMute:
		c.toggleMute()
	case HeadsetFlash:
		if c.held != nil {
			c.swapCalls()
			return
		}
		c.toggleHold()
	case HeadsetRedial:
		if c.call == nil && c.wrap.call == nil {
			c.redial()
		}
	}
}

// answer takes the ringing call, or the waiting one (holding the first).
func (c *Controller) answer() {
	switch {
	case c.call != nil && c.call.ringing && c.call.info.Direction == Inbound:
		c.call.stopRinging()
		c.callAction(c.call, "call.answer", c.be.Phone.Answer, nil)
	case c.waiting != nil:
		c.answerWaiting()
	}
}

// answerWaiting holds the call in progress, then answers the waiting one.
func (c *Controller) answerWaiting() {
	first, next := c.call, c.waiting
	if first == nil || next == nil {
		return
	}
	next.stopRinging()
	c.async(func(ctx context.Context) func() {
		err := error(nil)
		if !first.onHold {
			err = c.be.Phone.Hold(ctx, first.info.ID, true)
		}
		if err == nil {
			err = c.be.Phone.Answer(ctx, next.info.ID)
		}
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("call.action.fail", c.tr.T("call.answer"), err.Error())))
				return
			}
			first.onHold, first.heldSince = true, c.now()
			c.refreshPanel()
		}
	})
}

// reject declines the ringing call, or the waiting one.
func (c *Controller) reject() {
	call := c.waiting
	if call == nil && c.call != nil && c.call.ringing && c.call.info.Direction == Inbound {
		call = c.call
	}
	if call == nil {
		return
	}
	call.stopRinging()
	call.declined = true
	c.callAction(call, "call.reject", c.be.Phone.Reject, nil)
}

func (c *Controller) hangup() {
	if c.call == nil {
		return
	}
	if c.call.ringing && c.call.info.Direction == Inbound {
		c.reject()
		return
	}
	c.callAction(c.call, "call.hangup", c.be.Phone.Hangup, nil)
}

func (c *Controller) toggleMute() {
	call := c.call
	if call == nil || call.ringing {
		return
	}
	on := !call.muted
	c.callAction(call, "call.mute", func(_ context.Context, id string) error { return c.be.Phone.Mute(id, on) }, func() {
		call.muted = on
		c.home.call.refresh()
	})
}

func (c *Controller) toggleHold() {
	call := c.call
	if call == nil || call.ringing || c.conference {
		return
	}
	on := !call.onHold
	c.callAction(call, "call.hold", func(ctx context.Context, id string) error { return c.be.Phone.Hold(ctx, id, on) }, func() {
		call.onHold = on
		call.heldSince = c.now()
		c.home.call.refresh()
	})
}

// sendDTMF sends one key to the caller and shows it.
func (c *Controller) sendDTMF(digit string) {
	call := c.call
	if call == nil || call.ringing || call.info.Answered.IsZero() {
		return
	}
	call.dtmf += digit
	c.home.call.refresh()
	c.callAction(call, "call.dtmf", func(_ context.Context, id string) error { return c.be.Phone.SendDTMF(id, digit) }, nil)
}

// transferTarget reads the transfer field; ok is false after telling the
// agent what is wrong.
func (c *Controller) transferTarget() (string, bool) {
	raw := strings.TrimSpace(c.home.call.target.Text)
	target := cleanNumber(raw)
	switch {
	case raw == "":
		c.home.call.setNotice(c.tr.T("call.transfer.empty"), true)
		return "", false
	case !validDialString(raw):
		c.home.call.setNotice(c.tr.T("call.transfer.invalid", raw), true)
		return "", false
	}
	return target, true
}

// transfer hands the caller to the number in the transfer field (blind).
func (c *Controller) transfer() {
	call := c.call
	if call == nil || call.ringing {
		return
	}
	target, ok := c.transferTarget()
	if !ok {
		return
	}
	c.home.call.setNotice(c.tr.T("call.transfer.doing", target), false)
	call.transferringTo = target
	c.callAction(call, "call.transfer", func(ctx context.Context, id string) error { return c.be.Phone.Transfer(ctx, id, target) }, func() {
		call.transferringTo = ""
		c.transferred(call, target)
		c.home.call.setNotice(c.tr.T("call.transfer.done", target), false)
		c.notify(c.tr.T("call.transfer"), c.tr.T("call.transfer.done", target))
	})
}

// dial calls the number in the dial pad.
func (c *Controller) dial() {
	raw := strings.TrimSpace(c.home.number.Text)
	number := cleanNumber(raw)
	switch {
	case number == "":
		c.home.dialNote.SetText(c.tr.T("dial.empty"))
		c.win.Canvas().Focus(c.home.number)
		return
	case !validDialString(raw):
		c.home.dialNote.SetText(c.tr.T("dial.invalid", raw))
		c.win.Canvas().Focus(c.home.number)
		return
	case c.call != nil:
		return
	case c.wrap.call != nil:
		c.home.dialNote.SetText(c.tr.T("dial.wrapup"))
		return
	}
	// The PBX gets what the agent typed (its dial plan knows it); the call
	// is known by its normalised number (screen-pop, recent calls, logs).
	c.home.dialNote.SetText("")
	c.lastDialed = number
	c.home.dialBtn.Disable()
	// The number field gives the keyboard back: shortcuts and DTMF digits
	// reach the call at once.
	c.win.Canvas().Unfocus()
	c.async(func(ctx context.Context) func() {
		info, err := c.be.Phone.Dial(ctx, number)
		return func() {
			c.home.refresh()
			if err != nil {
				c.home.dialNote.SetText(c.tr.T("dial.fail", number, err.Error()))
				return
			}
			if c.call != nil {
				return
			}
			if info.Started.IsZero() {
				info.Started = c.now()
			}
			info.Direction = Outbound
			info.Remote = c.be.Normalize(number)
			c.call = &activeCall{info: info}
			c.home.number.SetText("")
			c.home.call.reset()
			c.refreshPanel()
			c.lookupTickets(c.call)
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
	if strings.TrimSpace(c.home.number.Text) != "" && c.call == nil {
		c.dial()
		return
	}
	c.win.Canvas().Focus(c.home.number)
}

// focusTransfer puts the cursor in the transfer field during a call.
func (c *Controller) focusTransfer() {
	if c.call == nil || c.call.ringing {
		return
	}
	c.win.Canvas().Focus(c.home.call.target)
}

// focusScreenPop opens the caller's first ticket.
func (c *Controller) focusScreenPop() {
	call := c.call
	if call == nil && c.wrap.call != nil {
		call = c.wrap.call
	}
	if call == nil || len(call.tickets) == 0 {
		return
	}
	c.openTicket(call.tickets[0].ID)
}

// saveWrapUp is Ctrl+Enter: save the wrap-up on screen.
func (c *Controller) saveWrapUp() {
	if c.wrap.call != nil && c.call == nil {
		c.wrap.submit(false)
	}
}

// showShortcuts lists the keyboard shortcuts.
func (c *Controller) showShortcuts() {
	var rows []fyne.CanvasObject
	for _, l := range c.shortcutLines() {
		lbl := widget.NewLabel(l)
		lbl.Wrapping = fyne.TextWrapWord
		rows = append(rows, lbl)
	}
	d := dialog.NewCustom(c.tr.T("keys.title"), c.tr.T("keys.close"), container.NewVBox(rows...), c.win)
	d.Resize(fyne.NewSize(560, 0))
	c.track(d)
	d.Show()
}

// cleanNumber keeps what a dial string may hold: digits, +, *, # and SIP
// addresses, dropping spaces, dots, dashes and brackets people type.
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

// validDialString: a SIP address, or a number written with digits, + * #
// and the separators people type (space . - / parentheses).
func validDialString(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	if strings.HasPrefix(s, "sip:") || strings.Contains(s, "@") {
		user, host, ok := strings.Cut(strings.TrimPrefix(s, "sip:"), "@")
		return ok && user != "" && host != "" && !strings.ContainsAny(s, " \t<>\"")
	}
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			digits++
		case r == '+' && i == 0:
		case strings.ContainsRune(" .-/()", r):
		default:
			return false
		}
	}
	return digits > 0
}
