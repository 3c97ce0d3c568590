package sip

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// Re-INVITEs both ways: hold and resume, offerless refreshes, and the
// glare of two at once (RFC 3261 §14).

// acceptAckAnswer applies the answer an ACK carried to the offer we made
// in our 200 to an offerless re-INVITE: a PBX may resume or hold the call
// this way.
func (c *Call) acceptAckAnswer(body []byte) {
	if len(body) == 0 {
		c.log.Warn("the ACK to our re-offer carried no answer: keeping the session as it was")
		return
	}
	answer, err := ParseSDP(body)
	var n Negotiation
	if err == nil {
		c.mu.Lock()
		offered, want := c.offered, c.wantDirection()
		c.mu.Unlock()
		n, err = c.acceptAnswer(offered, answer, want)
	}
	if err == nil {
		err = c.startMedia(n)
	}
	if err != nil {
		c.log.Warn("unusable answer in the ACK to our re-offer: keeping the session as it was", "error", err)
		return
	}
	c.noteRemoteHold(n)
}

// noteRemoteHold records whether the other side holds us after an
// exchange, and tells the owner when that changed on an answered call.
func (c *Call) noteRemoteHold(n Negotiation) {
	remote := n.RemoteHold()
	c.mu.Lock()
	changed := c.remoteHold != remote
	c.remoteHold = remote
	local, answered := c.localHold, !c.answered.IsZero()
	c.mu.Unlock()
	if changed && answered {
		c.emit(HoldChanged{Local: local, Remote: remote})
	}
}

// onReinvite answers an in-dialog INVITE: hold, resume, new address or codec.
func (u *UA) onReinvite(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		respond481(tx, req)
		return
	}
	if !c.awaitConfirmed() { // the ACK sent before it is taken first
		c.confirmByRequest()
	}
	c.mu.Lock()
	glare := c.reinviting
	c.mu.Unlock()
	if glare { // ours is out: theirs waits (RFC 3261 §14.2)
		respond(tx, req, sip.StatusRequestPending, "Request Pending")
		return
	}
	if err := c.dialog().ReadRequest(req, tx); err != nil {
		respond(tx, req, sip.StatusInternalServerError, "Server Internal Error", sip.NewHeader("Retry-After", "1"))
		return
	}
	c.mu.Lock()
	started := c.started
	c.mu.Unlock()
	if !started {
		respond(tx, req, 491, "Request Pending")
		return
	}
	if !c.monitorReinvite(req, tx) { // a supervisor's mode switch the gate refused (monitor.go)
		return
	}
	body, err := sdpBody(req)
	if err == nil && body == nil {
		c.answerOfferless(req, tx)
		return
	}
	var offer RemoteSDP
	if err == nil {
		offer, err = ParseSDP(body)
	}
	var neg Negotiation
	if err == nil {
		c.mu.Lock()
		want := c.wantDirection()
		current := c.neg.Codec
		c.mu.Unlock()
		// Keep the codec we talk with if it is still offered.
		neg, err = Answer(offer, append([]media.Codec{current}, u.cfg.Codecs...), want)
	}
	if err == nil {
		c.mu.Lock()
		err = c.keys.answerSRTP(u.cfg.SRTP, offer, &neg)
		c.mu.Unlock()
	}
	if err != nil {
		c.log.Warn("refusing re-INVITE", "error", err)
		respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	c.mu.Lock()
	answer, err := c.currentSDP(neg, neg.Direction)
	c.mu.Unlock()
	if err == nil {
		err = c.startMedia(neg)
	}
	if err != nil {
		respond(tx, req, sip.StatusInternalServerError, "Server Internal Error")
		return
	}
	// Hold state first: once the other side has our answer, it is true.
	c.noteRemoteHold(neg)
	res := sip.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(u.ourContact())
	u.advertise(res)
	if err := c.respond2xx(req, tx, res); err != nil {
		u.log.Warn("answering re-INVITE", "error", err)
	}
}

// answerOfferless answers a re-INVITE without SDP with an offer (RFC 3261
// §14.2): the session's m= lines, the direction we want (not the one we
// were held into: a PBX resumes calls this way), our codec first and the
// others after. The answer comes in the ACK (acceptAckAnswer).
func (c *Call) answerOfferless(req *sip.Request, tx sip.ServerTransaction) {
	c.mu.Lock()
	codecs := []media.Codec{c.neg.Codec}
	for _, o := range c.ua.cfg.Codecs {
		if !sameCodec(o, c.neg.Codec) {
			codecs = append(codecs, o)
		}
	}
	te := media.DefaultTelephoneEvent()
	dtmf := c.neg.DTMF
	if dtmf == nil {
		dtmf = &te
	}
	c.offered, c.offeredSRTP, c.reoffered, c.reofferCSeq = codecs, c.neg.cryptoLines(), true, req.CSeq().SeqNo
	c.offeredDTMF, c.offeredRED = dtmf, c.neg.RED
	body, err := c.localSDP(codecs, c.neg.RED, dtmf, c.wantDirection(), c.neg.Secure, c.neg.cryptoLines(), c.neg.Layout, c.neg.Stream)
	c.mu.Unlock()
	if err != nil {
		respond(tx, req, sip.StatusInternalServerError, "Server Internal Error")
		return
	}
	res := sip.NewSDPResponseFromRequest(req, body)
	res.AppendHeader(c.ua.ourContact())
	c.ua.advertise(res)
	if err := c.respond2xx(req, tx, res); err != nil {
		c.log.Warn("answering a session refresh", "error", err)
	}
}

// Hold puts the far end on hold (re-INVITE a=sendonly); we stop sending
// the agent's voice and stop playing theirs.
func (c *Call) Hold(ctx context.Context) error { return c.setHold(ctx, true) }

// Resume takes the call off hold (re-INVITE a=sendrecv).
func (c *Call) Resume(ctx context.Context) error { return c.setHold(ctx, false) }

func (c *Call) setHold(ctx context.Context, on bool) error {
	err := c.reinvite(ctx, on)
	if !IsStatus(err, sip.StatusRequestPending) {
		return err
	}
	// Glare: both sides sent a re-INVITE. Wait as RFC 3261 §14.1 says
	// (the side that made the Call-ID waits longer) and try once more.
	wait := c.ua.clock.NewTimer(glareWait(c.outbound))
	defer wait.Stop()
	select {
	case <-wait.C():
	case <-ctx.Done():
		return err
	case <-c.done:
		return ErrCallEnded
	}
	return c.reinvite(ctx, on)
}

// glareWait is the random wait after a 491: 2.1-4 s for the owner of the
// Call-ID (the caller), 0-2 s for the other side, in 10 ms steps.
func glareWait(callIDOwner bool) time.Duration {
	steps := time.Duration(rand.IntN(201)) * 10 * time.Millisecond
	if callIDOwner {
		return 2100*time.Millisecond + steps*19/20
	}
	return steps
}

// reinvite sends one hold or resume re-INVITE and applies the answer.
func (c *Call) reinvite(ctx context.Context, on bool) error {
	if c.isDone() {
		return ErrCallEnded
	}
	c.mu.Lock()
	if c.answered.IsZero() {
		c.mu.Unlock()
		return errors.New("the call is not answered yet")
	}
	if c.localHold == on {
		c.mu.Unlock()
		return nil
	}
	if c.reinviting {
		c.mu.Unlock()
		return errors.New("a hold or resume is already in progress")
	}
	c.localHold, c.reinviting = on, true
	want := c.wantDirection()
	offered := []media.Codec{c.neg.Codec}
	c.offeredSRTP = c.neg.cryptoLines()
	body, err := c.currentSDP(c.neg, want)
	if err != nil {
		c.localHold, c.reinviting = !on, false
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	req := sip.NewRequest(sip.INVITE, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	res, err := c.doInDialog(ctx, req)
	if err == nil && !res.IsSuccess() {
		err = &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	if err == nil {
		ack := sip.NewRequest(sip.ACK, c.remoteTarget())
		if c.uac != nil {
			err = c.uac.WriteRequest(ack)
		} else {
			err = c.uas.WriteRequest(ack)
		}
	}
	var answer RemoteSDP
	if err == nil {
		var body []byte
		if body, err = sdpBody(res); err == nil {
			answer, err = ParseSDP(body)
		}
	}
	var n Negotiation
	if err == nil {
		n, err = c.acceptAnswer(offered, answer, want)
	}
	if err == nil {
		err = c.startMedia(n)
	}
	c.mu.Lock()
	c.reinviting = false
	if err != nil {
		c.localHold = !on
		c.mu.Unlock()
		verb := "hold"
		if !on {
			verb = "resume"
		}
		return fmt.Errorf("could not %s the call: %w", verb, err)
	}
	c.media.SetMute(c.muted || on)
	c.remoteHold = n.RemoteHold()
	remote := c.remoteHold
	c.mu.Unlock()
	c.emit(HoldChanged{Local: on, Remote: remote})
	return nil
}
