package sip

import (
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Our 2xx to an INVITE and its ACK (RFC 3261 §13.3.1.4, §14.2, RFC 6026).
// The transaction layer sends a 2xx once; the user agent must send it
// again until the ACK comes, or the first lost packet costs the call.
// sipgo's WriteResponse does it for the first INVITE only, every 4 s after
// the first 0.5 s, and not at all for re-INVITEs; an ACK reusing the
// INVITE's branch (RFC 2543 peers, sipp's automatic ACK) is swallowed by
// the INVITE transaction instead of reaching our ACK handler. And sipgo
// hands each request to its own goroutine, so an ACK and the BYE or
// re-INVITE sent right after it may be handled in the other order.

// confirmGrace bounds how long a BYE or re-INVITE that arrived before the
// ACK of our answer waits for that ACK (in flight on another goroutine, or
// lost and coming again after our next 2xx).
func confirmGrace() time.Duration { return 4 * sip.T1 }

// retransmits are when, after the first send, RFC 3261 §13.3.1.4 sends a
// 2xx again while no ACK came: T1, then doubling up to T2, for 64*T1.
func retransmits() []time.Duration {
	var out []time.Duration
	for at, step := sip.T1, sip.T1; at < 64*sip.T1; at += step {
		out = append(out, at)
		step = min(2*step, sip.T2)
	}
	return out
}

// fillIns are the retransmits sipgo's WriteResponse leaves out of the
// first INVITE's 2xx: it sends at T1, then every T2 (0.5 s, 4.5 s...);
// with these it follows the RFC's spacing (0.5, 1.5, 3.5 s, then T2).
func fillIns() []time.Duration {
	var out []time.Duration
	for _, at := range retransmits()[1:] {
		if at >= sip.T2 {
			break
		}
		out = append(out, at)
	}
	return out
}

// expectAck registers that a 2xx to the INVITE with this CSeq awaits its
// ACK; the channel closes when it comes.
func (c *Call) expectAck(cseq uint32) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acks == nil {
		c.acks = map[uint32]chan struct{}{}
	}
	ch, ok := c.acks[cseq]
	if !ok {
		ch = make(chan struct{})
		c.acks[cseq] = ch
	}
	return ch
}

func (c *Call) forgetAck(cseq uint32) {
	c.mu.Lock()
	delete(c.acks, cseq)
	c.mu.Unlock()
}

// awaitAck sends res again at the given times (on UDP only) until the ACK
// of the INVITE with this CSeq comes, the call ends or 64*T1 pass. ACKs
// the INVITE's transaction absorbed are taken as if they reached onAck.
func (c *Call) awaitAck(tx sip.ServerTransaction, res *sip.Response, cseq uint32, acked <-chan struct{}, resend []time.Duration) {
	defer c.forgetAck(cseq)
	if !strings.EqualFold(res.Transport(), TransportUDP) {
		resend = nil // a reliable transport does not lose it
	}
	start := time.Now()
	giveUp := time.NewTimer(64 * sip.T1)
	defer giveUp.Stop()
	next := time.NewTimer(time.Hour)
	defer next.Stop()
	arm := func() {
		if len(resend) > 0 {
			next.Reset(time.Until(start.Add(resend[0])))
			resend = resend[1:]
		}
	}
	arm()
	for {
		select {
		case <-acked:
			return
		case ack := <-tx.Acks():
			c.takeAck(ack, tx)
		case <-next.C:
			if err := tx.Respond(res); err != nil {
				return // the transaction is over: nothing can send it any more
			}
			arm()
		case <-giveUp.C:
			c.log.Warn("no ACK to our 2xx", "cseq", cseq, "after", 64*sip.T1)
			return
		case <-c.done:
			return
		case <-c.ua.ctx.Done():
			return
		}
	}
}

// respond2xx answers a re-INVITE with res and sends it again until the ACK.
func (c *Call) respond2xx(req *sip.Request, tx sip.ServerTransaction, res *sip.Response) error {
	cseq := req.CSeq().SeqNo
	acked := c.expectAck(cseq)
	if err := tx.Respond(res); err != nil {
		c.forgetAck(cseq)
		return err
	}
	if !c.ua.group.Go(func() { c.awaitAck(tx, res, cseq, acked, retransmits()) }) {
		c.forgetAck(cseq)
	}
	return nil
}

// takeAck handles an ACK of this call: the one of our answer confirms the
// call (and, for a late offer, carries the answer), the one of a 2xx to
// an offerless re-INVITE carries the answer to our offer, any other stops
// its 2xx's retransmissions. An ACK is matched to its INVITE by CSeq
// (RFC 3261 §17.1.1.3), so a late copy of an earlier one changes nothing.
func (c *Call) takeAck(req *sip.Request, tx sip.ServerTransaction) {
	cseq := req.CSeq().SeqNo
	body, err := sdpBody(req)
	if err != nil {
		c.log.Warn("unreadable body in an ACK", "error", err)
	}
	c.mu.Lock()
	initial := c.uas != nil && cseq == c.uas.InviteRequest.CSeq().SeqNo
	reoffer := c.reoffered && cseq == c.reofferCSeq
	if reoffer {
		c.reoffered = false
	}
	if initial && body != nil {
		c.ackSDP = body // the answer to the offer we put in our 200 (late offer)
	}
	ch := c.acks[cseq]
	delete(c.acks, cseq)
	c.mu.Unlock()
	if initial {
		if err := c.uas.ReadAck(req, tx); err != nil {
			c.log.Debug("ACK not taken by the dialog", "error", err)
		}
	}
	if ch != nil {
		close(ch)
	}
	if reoffer {
		c.acceptAckAnswer(body)
	}
}

// awaitConfirmed holds a request the caller sent after our answer until
// that answer's ACK has been handled, so that requests are taken in the
// order they were sent. It returns false when the ACK did not come within
// confirmGrace (lost: it comes again after our next 2xx).
func (c *Call) awaitConfirmed() bool {
	c.mu.Lock()
	waiting := !c.outbound && c.okSent
	c.mu.Unlock()
	if !waiting {
		return true
	}
	t := time.NewTimer(confirmGrace())
	defer t.Stop()
	select {
	case <-c.answeredCh:
		return true
	case <-c.done:
		return true
	case <-t.C:
		return false
	}
}

// confirmByRequest confirms our answer when the caller sends a request in
// the dialog but its ACK was lost: it has our 2xx, or it could not send
// the request. sipgo's dialog takes an ACK only while its CSeq is the
// last one received, so this must come before the request is read.
func (c *Call) confirmByRequest() {
	c.mu.Lock()
	pending := !c.outbound && c.okSent && c.answered.IsZero()
	c.mu.Unlock()
	if !pending || c.uas == nil {
		return
	}
	c.log.Info("a request in the dialog confirms our answer: its ACK was lost")
	ack := sip.NewRequest(sip.ACK, c.uas.InviteRequest.Recipient)
	ack.AppendHeader(&sip.CSeqHeader{SeqNo: c.uas.InviteRequest.CSeq().SeqNo, MethodName: sip.ACK})
	if err := c.uas.ReadAck(ack, nil); err != nil {
		c.log.Debug("confirming the answer", "error", err)
	}
}
