package ui

import (
	"context"
	"errors"
)

// Attended transfer and the three-way conference: the agent consults a
// second party with the caller on hold, then completes the transfer, swaps
// between the two, cancels the consultation, or merges both into a
// conference where either leg can be dropped.

// consult holds the caller and calls the number in the transfer field.
func (c *Controller) consult() {
	call := c.call
	if call == nil || call.ringing || c.held != nil || c.be.Consult == nil {
		return
	}
	target, ok := c.transferTarget()
	if !ok {
		return
	}
	c.home.call.setNotice(c.tr.T("call.consult.doing", target), false)
	c.async(func(ctx context.Context) func() {
		info, err := c.be.Consult.Consult(ctx, call.info.ID, target)
		return func() {
			if err != nil {
				c.home.call.setNotice(c.tr.T("call.consult.fail", target, err.Error()), true)
				return
			}
			if c.call != call {
				return
			}
			info.Direction = Outbound
			info.Remote = c.be.Normalize(target)
			if info.Started.IsZero() {
				info.Started = c.now()
			}
			call.onHold, call.heldSince = true, c.now()
			c.held = call
			c.call = &activeCall{info: info, consult: true}
			c.home.call.target.SetText("")
			c.home.call.setNotice("", false)
			c.refreshPanel()
			c.lookupTickets(c.call)
		}
	})
}

// completeTransfer connects the held caller with the consulted party.
func (c *Controller) completeTransfer() {
	caller, leg := c.held, c.call
	if caller == nil || leg == nil || !leg.consult || c.be.Consult == nil {
		return
	}
	to := leg.info.Remote
	// The transfer takes a moment (the caller's phone calls the colleague):
	// say so at once, then its progress (onTransfer).
	c.home.call.setNotice(c.tr.T("call.transfer.doing", to), false)
	caller.transferringTo = to
	c.async(func(ctx context.Context) func() {
		err := c.be.Consult.CompleteTransfer(ctx, caller.info.ID, leg.info.ID)
		return func() {
			caller.transferringTo = ""
			if err != nil {
				c.home.call.setNotice(c.tr.T("call.transfer.failed", to, err.Error()), true)
				return
			}
			c.transferred(caller, to)
			c.home.call.setNotice(c.tr.T("call.transfer.done", to), false)
			c.notify(c.tr.T("call.transfer"), c.tr.T("call.transfer.done", to))
		}
	})
}

// swapCalls puts the call in progress on hold and resumes the other.
func (c *Controller) swapCalls() {
	cur, other := c.call, c.held
	if cur == nil || other == nil || c.conference {
		return
	}
	c.async(func(ctx context.Context) func() {
		err := c.be.Phone.Hold(ctx, cur.info.ID, true)
		if err == nil {
			err = c.be.Phone.Hold(ctx, other.info.ID, false)
		}
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("call.action.fail", c.tr.T("call.swap"), err.Error())))
				return
			}
			cur.onHold, cur.heldSince, other.onHold = true, c.now(), false
			if c.call == cur && c.held == other {
				c.call, c.held = other, cur
			}
			c.refreshPanel()
		}
	})
}

// cancelConsult hangs up the consultation and resumes the caller.
func (c *Controller) cancelConsult() {
	leg, caller := c.call, c.held
	if leg == nil || caller == nil || !leg.consult {
		return
	}
	c.async(func(ctx context.Context) func() {
		err := c.be.Phone.Hangup(ctx, leg.info.ID)
		if err == nil || errors.Is(err, context.Canceled) {
			err = c.be.Phone.Hold(ctx, caller.info.ID, false)
		}
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("call.action.fail", c.tr.T("call.consult.cancel"), err.Error())))
				return
			}
			caller.onHold = false
			c.refreshPanel()
		}
	})
}

// merge joins the caller and the consulted party in a conference.
func (c *Controller) merge() {
	leg, caller := c.call, c.held
	if leg == nil || caller == nil || c.conference || c.be.Consult == nil || leg.info.Answered.IsZero() {
		return
	}
	c.async(func(ctx context.Context) func() {
		err := c.be.Consult.Conference(ctx, caller.info.ID, leg.info.ID)
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("call.action.fail", c.tr.T("call.merge"), err.Error())))
				return
			}
			c.conference = true
			caller.onHold, leg.onHold = false, false
			c.refreshPanel()
		}
	})
}

// dropLeg hangs up one party of the conference; the other stays on.
func (c *Controller) dropLeg(leg *activeCall) {
	if leg == nil {
		return
	}
	c.callAction(leg, "call.drop", c.be.Phone.Hangup, nil)
}

// onTransfer shows a transfer's progress on the call panel while it runs;
// its end (done, or failed with the calls kept) is said where the agent
// asked for it (transfer, completeTransfer).
func (c *Controller) onTransfer(ev TransferUpdated) {
	call := c.findCall(ev.CallID)
	if call == nil {
		return
	}
	to := call.transferringTo
	if to == "" {
		return
	}
	switch ev.State {
	case TransferTrying:
		c.home.call.setNotice(c.tr.T("call.transfer.doing", to), false)
	case TransferRinging:
		c.home.call.setNotice(c.tr.T("call.transfer.ringing", to), false)
	case TransferDone:
		// Before the call's end arrives: its wrap-up says "Transferred".
		c.transferred(call, to)
	}
}

// transferred marks call as transferred to target; a wrap-up already open
// for it gets the outcome, unless the agent chose one.
func (c *Controller) transferred(call *activeCall, target string) {
	call.transferredTo = target
	if c.wrap.call == call {
		if c.wrap.disposition.Selected == "" {
			c.wrap.selectDisposition(DispositionTransferred)
		}
		c.wrap.show()
	}
}
