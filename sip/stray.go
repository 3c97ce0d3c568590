package sip

import (
	"context"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A 2xx to an INVITE of ours that no call takes any more still set up a
// session at the far end: the callee picked up as the agent hung up (the
// 200 crossed our CANCEL), a second phone behind a forking proxy answered
// too, or the 200 came again after our call gave up. RFC 3261 §13.2.2.4:
// the UAC acknowledges every 2xx and ends with BYE a session it does not
// want. Left alone, the customer's phone shows a call with nobody on it
// until its own 2xx timer gives up.

// strayMemory is how long a call we placed is remembered once it ended: a
// 2xx retransmitted for 64*T1 may still come.
func strayMemory() time.Duration { return 64 * sip.T1 }

// noteDialed remembers an INVITE we sent, by Call-ID (live: zero time).
func (u *UA) noteDialed(callID string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.dialed == nil {
		u.dialed = map[string]time.Time{}
	}
	now := time.Now()
	for id, ended := range u.dialed {
		if !ended.IsZero() && now.Sub(ended) > strayMemory() {
			delete(u.dialed, id)
		}
	}
	u.dialed[callID] = time.Time{}
}

// dialEnded starts forgetting an INVITE of ours.
func (u *UA) dialEnded(callID string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, ok := u.dialed[callID]; ok {
		u.dialed[callID] = time.Now()
	}
}

// ourInvite reports whether callID is an INVITE we sent lately.
func (u *UA) ourInvite(callID string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.dialed[callID]
	return ok
}

// liveAnswer is the answered outgoing call whose dialog res belongs to.
func (u *UA) liveAnswer(res *sip.Response) *Call {
	key := dialogKey(res.CallID().Value(), tagOf(res.From().Params), tagOf(res.To().Params))
	u.mu.Lock()
	c := u.calls[key]
	u.mu.Unlock()
	if c == nil || !c.outbound || c.AnsweredAt().IsZero() {
		return nil
	}
	return c
}

// isInvite2xx reports a 2xx to an INVITE with the headers a dialog needs.
func isInvite2xx(res *sip.Response) bool {
	return res.IsSuccess() && res.CSeq() != nil && res.CSeq().MethodName == sip.INVITE &&
		res.CallID() != nil && res.From() != nil && res.To() != nil && res.To().Params.Has("tag")
}

// onStrayResponse takes responses no transaction matched (sipgo's
// unhandled-response hook).
func (u *UA) onStrayResponse(res *sip.Response) {
	if !isInvite2xx(res) || !u.ourInvite(res.CallID().Value()) {
		return
	}
	u.group.Go(func() { u.settleStray2xx(res) })
}

// settleStray2xx acknowledges a 2xx of ours that its transaction no longer
// takes; unless it is the answer of a call still up (our ACK was lost), it
// ends that session with BYE.
func (u *UA) settleStray2xx(res *sip.Response) {
	if err := u.client.WriteRequest(dialogRequest(sip.ACK, res, res.CSeq().SeqNo)); err != nil {
		u.log.Info("ACK to a stray 2xx", "error", err)
	}
	if u.liveAnswer(res) != nil {
		return
	}
	u.log.Info("ending a session nobody wants: a 2xx to our INVITE after the call gave up, or from a second forked branch",
		"call_id", res.CallID().Value(), "to", res.To().Value())
	ctx, cancel := context.WithTimeout(u.ctx, u.cfg.RequestTimeout)
	defer cancel()
	bye := dialogRequest(sip.BYE, res, res.CSeq().SeqNo+1)
	if _, err := u.client.Do(ctx, bye); err != nil {
		u.log.Info("BYE to a stray 2xx", "error", err)
	}
}

// dialogRequest builds, from a 2xx to our INVITE alone, a request in the
// dialog it set up (RFC 3261 §12.2.1.1): to its Contact, through its
// Record-Route reversed, with our From and its To.
func dialogRequest(method sip.RequestMethod, res *sip.Response, cseq uint32) *sip.Request {
	target := res.To().Address // a 2xx without Contact: the callee's address
	if ct := res.Contact(); ct != nil {
		target = ct.Address
	}
	req := sip.NewRequest(method, *target.Clone())
	req.AppendHeader(sip.HeaderClone(res.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(res.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: method})
	maxFwd := sip.MaxForwardsHeader(70)
	req.AppendHeader(&maxFwd)
	rrs := res.GetHeaders("Record-Route")
	for i := len(rrs) - 1; i >= 0; i-- {
		req.AppendHeader(sip.NewHeader("Route", rrs[i].Value()))
	}
	if rt := req.Route(); rt != nil {
		req.SetDestination(rt.Address.HostPort())
	}
	req.SetTransport(strings.ToLower(res.Transport()))
	req.SetBody(nil)
	return req
}
