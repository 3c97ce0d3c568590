package sip

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// glareRetries bounds how often a request refused with 491 Request Pending
// is sent again.
const glareRetries = 3

// doPending sends the request build makes inside the dialog; a 491 Request
// Pending (the other side is changing the session at the same moment) is
// retried after glareWait with a fresh request, a few times. Only one of
// our own session changes runs at a time.
func (c *Call) doPending(ctx context.Context, build func() *sip.Request) (*sip.Response, error) {
	select {
	case c.changing <- struct{}{}:
		defer func() { <-c.changing }()
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.done:
		return nil, ErrCallEnded
	}
	for attempt := 0; ; attempt++ {
		res, err := c.doInDialog(ctx, build())
		if err != nil || res.StatusCode != sip.StatusRequestPending || attempt == glareRetries {
			return res, err
		}
		wait := glareWait(c.outbound)
		c.log.Info("491 Request Pending: the other side is changing the call too; trying again", "after", wait)
		t := c.ua.clock.NewTimer(wait)
		select {
		case <-t.C():
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-c.done:
			t.Stop()
			return nil, ErrCallEnded
		}
	}
}

// Our own session changes beyond hold (a supervisor's mode switch) and
// the REFER of an attended transfer: one at a time per call, with 491
// Request Pending retried (RFC 3261 §14.1).

// renegotiate offers the session as negotiated with direction dir in a
// re-INVITE carrying headers, ACKs the answer and applies it to media.
func (c *Call) renegotiate(ctx context.Context, dir media.Direction, headers ...sip.Header) error {
	if c.isDone() {
		return ErrCallEnded
	}
	c.mu.Lock()
	if c.answered.IsZero() {
		c.mu.Unlock()
		return errors.New("the call is not answered yet")
	}
	if c.reinviting {
		c.mu.Unlock()
		return errors.New("a hold or resume is in progress: try again")
	}
	c.reinviting = true // the far end's re-INVITE meanwhile gets 491
	neg := c.neg
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.reinviting = false
		c.mu.Unlock()
	}()
	offered := []media.Codec{neg.Codec}
	res, err := c.doPending(ctx, func() *sip.Request {
		c.mu.Lock()
		c.offeredSRTP = neg.cryptoLines()
		body, _ := c.currentSDP(neg, dir)
		c.mu.Unlock()
		req := sip.NewRequest(sip.INVITE, c.remoteTarget())
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		for _, h := range headers {
			req.AppendHeader(sip.HeaderClone(h))
		}
		req.SetBody(body)
		return req
	})
	if err == nil && !res.IsSuccess() {
		err = &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	if err != nil {
		return err
	}
	if err := c.ackReinvite(); err != nil {
		return err
	}
	body, err := sdpBody(res)
	if err != nil {
		return err
	}
	answer, err := ParseSDP(body)
	if err != nil {
		return err
	}
	n, err := c.acceptAnswer(offered, answer, dir)
	if err != nil {
		return err
	}
	return c.startMedia(n)
}

// ackReinvite confirms the 2xx of a re-INVITE we sent.
func (c *Call) ackReinvite() error {
	ack := sip.NewRequest(sip.ACK, c.remoteTarget())
	if c.uac != nil {
		return c.uac.WriteRequest(ack)
	}
	return c.uas.WriteRequest(ack)
}

// waitStable waits until no session change of ours is under way, so a
// REFER never overtakes the re-INVITE that put the call on hold (which the
// far end would answer 491).
func (c *Call) waitStable(ctx context.Context) error {
	select {
	case c.changing <- struct{}{}:
		<-c.changing
		return nil
	case <-ctx.Done():
		return fmt.Errorf("the call is still being changed: %w", ctx.Err())
	case <-c.done:
		return ErrCallEnded
	}
}
