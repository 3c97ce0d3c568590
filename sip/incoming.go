package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// respond answers req with a bodiless final or provisional response. The
// status line says SIP/2.0 whatever version the request claimed.
func respond(tx sip.ServerTransaction, req *sip.Request, code int, reason string, headers ...sip.Header) {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	res.SipVersion = sipVersion
	for _, h := range headers {
		res.AppendHeader(h)
	}
	_ = tx.Respond(res)
}

func (u *UA) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		u.onReinvite(req, tx)
		return
	}
	if u.ctx.Err() != nil {
		respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	// Replaces, Join and monitoring requests (monitor.go) bypass MaxCalls.
	kind, ok := u.inspectInvite(req, tx)
	if !ok {
		return
	}
	if !kind.special() && u.busy() {
		respond(tx, req, sip.StatusBusyHere, "Busy Here")
		return
	}
	var neg Negotiation
	keys := srtpKeys{}
	body, err := sdpBody(req)
	if err != nil {
		u.refuse(req, tx, 399, err)
		return
	}
	lateOffer := body == nil
	if !lateOffer {
		offer, err := ParseSDP(body)
		if err != nil {
			u.refuse(req, tx, 399, err)
			return
		}
		neg, err = Answer(offer, u.cfg.Codecs, media.SendRecv)
		if err != nil {
			code := 305 // incompatible media format
			if !errors.Is(err, ErrNoCommonCodec) {
				code = 304 // media type not available
			}
			u.refuse(req, tx, code, err)
			return
		}
		if err := keys.answerSRTP(u.cfg.SRTP, offer, &neg); err != nil {
			u.refuse(req, tx, 306, err)
			return
		}
	}
	session, err := u.dialogUA().ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	from := req.From()
	c := newCall(u, false, from.Address, from.DisplayName)
	c.uas = session
	c.inviteTx = tx
	c.neg = neg
	c.keys = keys
	c.lateOffer = lateOffer
	c.key = dialogKey(c.CallID(), tagOf(session.InviteRequest.To().Params), tagOf(from.Params))
	u.addCall(c.key, c)
	if u.takeInvite(c, kind) {
		return
	}
	if err := session.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		c.finish(EndedByRemote, fmt.Errorf("sending 180 Ringing: %w", err))
		return
	}
	u.emit(IncomingCall{Call: c})
	c.ring()
}

// refuse answers an INVITE we cannot take with 488, a Warning (RFC 3261
// §20.43 code) saying why, and tells the owner.
func (u *UA) refuse(req *sip.Request, tx sip.ServerTransaction, warnCode int, why error) {
	u.log.Warn("refusing INVITE", "error", why)
	respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here",
		sip.NewHeader("Warning", fmt.Sprintf(`%d homeshore "%s"`, warnCode, strings.ReplaceAll(why.Error(), `"`, "'"))))
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.String()
	}
	u.emit(CallRefused{From: from, Err: &StatusError{Code: sip.StatusNotAcceptableHere, Reason: "Not Acceptable Here", Detail: why.Error()}})
}

// ring waits, inside the INVITE's handler, for the agent's decision or
// the caller giving up.
func (c *Call) ring() {
	select {
	case d := <-c.decide:
		c.mu.Lock()
		c.decided = true
		c.mu.Unlock()
		if d.answer {
			d.result <- c.accept(d.audio)
		} else {
			d.result <- c.refuse(d.code)
		}
	case <-c.uas.Context().Done():
		c.finish(EndedByRemote, fmt.Errorf("%w: the caller hung up first (487 Request Terminated)", ErrCallCancelled))
	case <-c.ua.ctx.Done():
		_ = c.uas.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		c.finish(EndedByLocal, errors.New("shutting down"))
	}
}

// Answer takes the ringing call with the given audio. It returns once the
// caller's ACK arrived.
func (c *Call) Answer(ctx context.Context, audio Audio) error {
	return c.decideWith(ctx, decision{answer: true, audio: audio})
}

// Reject refuses a ringing call with code (486 Busy Here, 603 Decline...).
func (c *Call) Reject(code int) error {
	if code < 400 || code > 699 {
		return fmt.Errorf("reject code %d is not a failure response (400-699)", code)
	}
	return c.decideWith(context.Background(), decision{code: code})
}

func (c *Call) decideWith(ctx context.Context, d decision) error {
	if c.outbound {
		return errors.New("only an incoming call can be answered or rejected")
	}
	d.result = make(chan error, 1)
	select {
	case c.decide <- d:
	default:
		return errors.New("the call was already answered or rejected")
	}
	select {
	case err := <-d.result:
		return err
	case <-c.done:
		c.mu.Lock()
		taken := c.decided
		c.mu.Unlock()
		if taken { // ring took it and ends the call on the way: its result comes
			return <-d.result
		}
		if err := c.End().Err; err != nil {
			return err
		}
		return ErrCallEnded
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Call) accept(audio Audio) error {
	m, err := c.ua.newMedia(c.ua.localIP)
	if err != nil {
		_ = c.uas.Respond(sip.StatusInternalServerError, "Audio Unavailable", nil)
		err = fmt.Errorf("opening audio for the call: %w", err)
		c.finish(EndedByLocal, err)
		return err
	}
	c.mu.Lock()
	c.media, c.audio = m, audio
	neg, late := c.neg, c.lateOffer
	var body []byte
	if late {
		body, err = c.offerSDP()
	} else {
		body, err = c.currentSDP(neg, neg.Direction)
	}
	c.mu.Unlock()
	if err == nil && !late {
		err = c.startMedia(neg)
	}
	if err != nil {
		_ = c.uas.Respond(sip.StatusInternalServerError, "Server Internal Error", nil)
		c.finish(EndedByLocal, err)
		return err
	}
	res := sip.NewSDPResponseFromRequest(c.uas.InviteRequest, body)
	c.ua.advertise(res)
	// Ours, before the ACK watcher shares res (WriteResponse adds one when missing).
	res.AppendHeader(c.ua.ourContact())
	cseq := c.uas.InviteRequest.CSeq().SeqNo
	acked := c.expectAck(cseq)
	c.mu.Lock()
	c.okSent = true
	c.mu.Unlock()
	if tx := c.inviteTx; tx == nil || !c.ua.group.Go(func() { c.awaitAck(tx, res, cseq, acked, fillIns()) }) {
		c.forgetAck(cseq)
	}
	// WriteResponse of a 2xx returns after the ACK (or after 64*T1 without one).
	if err := c.uas.WriteResponse(res); err != nil {
		if c.isDone() {
			if end := c.End(); end.By == EndedByRemote && end.Err == nil {
				return nil // the caller hung up (BYE) before its ACK reached us
			}
		}
		err = fmt.Errorf("the caller never confirmed the answer (no ACK): %w", err)
		c.byeUnconfirmed()
		c.finish(EndedByRemote, err)
		return err
	}
	if late {
		if err := c.acceptLateAnswer(); err != nil {
			byeCtx, cancel := context.WithTimeout(context.Background(), c.ua.cfg.RequestTimeout)
			defer cancel()
			_ = c.uas.Bye(byeCtx)
			c.finish(EndedByLocal, err)
			return err
		}
	}
	c.mu.Lock()
	if c.answered.IsZero() {
		c.answered = c.ua.clock.Now()
	}
	close(c.answeredCh)
	codec, neg := c.neg.Codec.Name, c.neg
	c.mu.Unlock()
	c.emit(Established{Codec: codec})
	c.noteRemoteHold(neg) // a call may start on hold (sendonly, c=0.0.0.0)
	return nil
}

// byeUnconfirmed ends with BYE a call whose 200 never got its ACK (RFC
// 3261 §13.3.1.4): the caller may believe it is up.
func (c *Call) byeUnconfirmed() {
	if c.ua.ctx.Err() != nil || c.isDone() {
		return
	}
	ctx, cancel := context.WithTimeout(c.ua.ctx, c.ua.cfg.RequestTimeout)
	defer cancel()
	if err := c.uas.Bye(ctx); err != nil {
		c.log.Info("BYE after the missing ACK", "error", err)
	}
}

// acceptLateAnswer starts media from the answer the caller put in its ACK.
func (c *Call) acceptLateAnswer() error {
	c.mu.Lock()
	body := c.ackSDP
	c.mu.Unlock()
	if len(body) == 0 {
		return fmt.Errorf("the caller's ACK carried no SDP answer to our offer: %w", ErrBadSDP)
	}
	answer, err := ParseSDP(body)
	if err != nil {
		return err
	}
	n, err := c.acceptAnswer(c.ua.cfg.Codecs, answer, media.SendRecv)
	if err != nil {
		return err
	}
	return c.startMedia(n)
}

func (c *Call) refuse(code int) error {
	err := c.uas.Respond(code, reasonPhrase(code), nil)
	c.finish(EndedByLocal, &StatusError{Code: code, Reason: reasonPhrase(code), Detail: "rejected here"})
	return err
}
