package core

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/sip"
)

// More than one call at a time, as the GUI drives it (ui.Consulter, plus
// Phone on every line):
//
//   - call waiting: a call that rings while the agent is on another comes
//     as a second ui.IncomingCall; Phone.Answer puts the answered calls on
//     hold, then answers it; Phone.Reject declines it (486);
//   - attended transfer: Consult holds the caller and dials the colleague;
//     swapping is Hold on one and resume on the other; CompleteTransfer
//     connects caller and colleague (REFER with Replaces) and both calls
//     leave the desk (ui.TransferUpdated reports progress, a failure keeps
//     both calls); cancelling is Hangup on the consultation then resume;
//   - conference: Conference (or Merge) mixes the calls in the agent's app;
//     Hangup drops one leg, Hold takes one out of the mix and resume puts
//     it back.
//
// A call whose party is replaced (the agent is the target of someone
// else's attended transfer, or was transferred by the far end) keeps its
// ID and gets ui.CallEstablished again with the new party.

// The phone is the GUI's seam for attended transfer and conference.
var _ ui.Consulter = (*phone)(nil)

// maxLines is how many calls the agent may have at once: one on hold and
// one in progress, or a three-way conference, plus one waiting.
const maxLines = 3

// canWait reports whether one more incoming call may ring: under maxLines
// and no other call ringing already.
func (p *phone) canWait() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.calls) >= maxLines {
		return false
	}
	for _, e := range p.calls {
		if !e.established && e.info.Direction == ui.Inbound {
			return false
		}
	}
	return true
}

// answeredOthers lists the answered calls other than e, oldest first.
func (p *phone) answeredOthers(e *callEntry) []*callEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*callEntry
	for _, o := range p.calls {
		if o != e && !o.call.AnsweredAt().IsZero() {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// holdOthers puts every answered call but e on hold.
func (p *phone) holdOthers(ctx context.Context, e *callEntry) error {
	for _, o := range p.answeredOthers(e) {
		if local, _ := o.call.Held(); local {
			continue
		}
		if err := p.Hold(ctx, o.info.ID, true); err != nil {
			return fmt.Errorf("could not put %s on hold first: %w", o.info.Remote, err)
		}
	}
	return nil
}

// Consult puts callID on hold and calls target for an attended transfer or
// a conference. The consultation is reported like a dialled call.
func (p *phone) Consult(ctx context.Context, callID, target string) (ui.CallInfo, error) {
	e, err := p.entry(callID)
	if err != nil {
		return ui.CallInfo{}, err
	}
	p.mu.Lock()
	ua := p.ua
	p.mu.Unlock()
	up := !e.call.AnsweredAt().IsZero()
	switch {
	case ua == nil:
		return ui.CallInfo{}, errors.New("not connected to the SIP server: start your shift first")
	case !up:
		return ui.CallInfo{}, errors.New("answer the call before consulting someone")
	case !p.canDial():
		return ui.CallInfo{}, fmt.Errorf("already %d calls: hang one up first", maxLines)
	}
	if err := p.holdOthers(ctx, nil); err != nil {
		return ui.CallInfo{}, err
	}
	return p.dial(ctx, ua, target, callID)
}

func (p *phone) canDial() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls) < maxLines
}

// CompleteTransfer connects the caller on hold with the consulted party
// and leaves both calls. On failure both are kept as they were.
func (p *phone) CompleteTransfer(ctx context.Context, heldID, consultID string) error {
	held, err := p.entry(heldID)
	if err != nil {
		return err
	}
	consult, err := p.entry(consultID)
	if err != nil {
		return err
	}
	if consult.call.AnsweredAt().IsZero() {
		return errors.New("the colleague has not answered yet: wait, or transfer blind")
	}
	p.c.events.emit(ui.TransferUpdated{CallID: heldID, State: ui.TransferTrying})
	if err := held.call.TransferReplacing(ctx, consult.call); err != nil {
		up := ui.TransferUpdated{CallID: heldID, State: ui.TransferFailed, Reason: oneLine(err)}
		var se *sip.StatusError
		if errors.As(err, &se) {
			up.Code, up.Reason = se.Code, se.Reason
		}
		p.c.events.emit(up)
		return err
	}
	p.c.events.emit(ui.TransferUpdated{CallID: heldID, State: ui.TransferDone})
	return nil
}

// Conference joins the caller on hold and the consultation in a
// conference mixed here.
func (p *phone) Conference(ctx context.Context, heldID, consultID string) error {
	return p.Merge(ctx, heldID, consultID)
}

// Merge puts answered calls (two or more, or one more into the running
// conference) into the conference and resumes the held ones.
func (p *phone) Merge(ctx context.Context, ids ...string) error {
	var legs []*callEntry
	for _, id := range ids {
		e, err := p.entry(id)
		if err != nil {
			return err
		}
		if e.call.AnsweredAt().IsZero() {
			return fmt.Errorf("%s has not answered yet: wait before joining the calls", e.info.Remote)
		}
		legs = append(legs, e)
	}
	if len(legs) < 2 && !p.desk.hasConference() {
		return errors.New("a conference needs two calls")
	}
	for _, e := range legs {
		if local, _ := e.call.Held(); local {
			if err := e.call.Resume(ctx); err != nil {
				return fmt.Errorf("could not take %s off hold for the conference: %w", e.info.Remote, err)
			}
		}
		p.desk.update(e.leg, func(l *leg) { l.held, l.inConf = false, true })
	}
	return nil
}

// CancelConsult hangs up a consultation and resumes the call it was about.
func (p *phone) CancelConsult(ctx context.Context, consultID string) error {
	e, err := p.entry(consultID)
	if err != nil {
		return err
	}
	if err := e.call.Hangup(ctx); err != nil && !errors.Is(err, sip.ErrCallEnded) {
		return err
	}
	if e.consultFor == "" {
		return nil
	}
	return p.Hold(ctx, e.consultFor, false)
}

// transferProgress reports the target's progress of a transfer of e.
func (p *phone) transferProgress(e *callEntry, tp sip.TransferProgress) {
	up := ui.TransferUpdated{CallID: e.info.ID, Code: tp.Code, Reason: tp.Reason}
	switch {
	case tp.Code < 180:
		up.State = ui.TransferTrying
	case tp.Code < 200:
		up.State = ui.TransferRinging
	case tp.Code < 300:
		up.State = ui.TransferDone
	default:
		up.State = ui.TransferFailed
	}
	p.c.events.emit(up)
}

// replaced moves e to the call that took over from it (its audio moved
// with it) and tells the GUI, under the same ID, who is on the line now.
func (p *phone) replaced(e *callEntry, next *sip.Call) *sip.Call {
	p.mu.Lock()
	e.call = next
	e.info.Remote, e.info.Display = next.RemoteUser(), next.DisplayName()
	if at := next.AnsweredAt(); !at.IsZero() {
		e.info.Answered = at
	}
	info := e.info
	p.mu.Unlock()
	p.c.log.Info("call continues with another party", "call_id", info.ID, "new_call_id", next.CallID(), "remote", next.Remote())
	p.c.events.emit(ui.CallEstablished{Call: info})
	return next
}
