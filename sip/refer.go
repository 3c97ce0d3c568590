package sip

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// onRefer accepts a blind transfer: we call the Refer-To target, report
// its progress with NOTIFY, and leave the old call once it answers.
func (u *UA) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		respond481(tx, req)
		return
	}
	h := req.GetHeader("Refer-To")
	if h == nil {
		respond(tx, req, sip.StatusBadRequest, "Missing Refer-To")
		return
	}
	// An attended transfer embeds the Replaces header to send (replaces.go).
	target, replaces, err := referTarget(h.Value())
	var uri sip.Uri
	if err == nil {
		uri, err = u.ParseTarget(target)
	}
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Refer-To")
		return
	}
	if u.ctx.Err() != nil {
		respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	respond(tx, req, sip.StatusAccepted, "Accepted")
	// Owned by the UA: Close waits for the transfer (its Dial fails once
	// Close has begun).
	u.group.Go(func() { c.followTransfer(uri, replaces) })
}

func (c *Call) followTransfer(target sip.Uri, replaces string) {
	ctx, cancel := context.WithTimeout(c.ua.ctx, transferTimeout)
	defer cancel()
	c.notifyTransfer(ctx, "SIP/2.0 100 Trying", "active;expires=60")
	// Only one RTP session may use the audio at a time: this call lends it
	// to the new one and takes it back if the transfer fails.
	c.mu.Lock()
	audio, m := c.audio, c.media
	c.mu.Unlock()
	lend := func(to Audio) {
		if m == nil {
			return
		}
		if err := errors.Join(m.SetSource(to.Source), m.SetSink(to.Sink)); err != nil {
			c.log.Warn("moving the call's audio", "error", err)
		}
	}
	lend(Audio{})
	next, err := c.ua.Dial(ctx, target.String(), audio, withReplaces(replaces))
	if err == nil {
		err = next.WaitAnswered(ctx)
		if err != nil {
			_ = ignoreEnded(next.Hangup(context.Background()))
			<-next.Done()
		}
	}
	if err != nil {
		code, reason := 503, "Service Unavailable"
		var se *StatusError
		if errors.As(err, &se) {
			code, reason = se.Code, se.Reason
		}
		c.notifyTransfer(ctx, fmt.Sprintf("SIP/2.0 %d %s", code, reason), "terminated;reason=noresource")
		c.log.Warn("transfer failed; the call stays", "target", target.String(), "error", err)
		lend(audio)
		c.emit(TransferProgress{Code: code, Reason: reason})
		return
	}
	c.notifyTransfer(ctx, "SIP/2.0 200 OK", "terminated;reason=noresource")
	c.mu.Lock()
	c.replacement = next
	c.end.Transferred = true
	c.mu.Unlock()
	c.emit(Transferred{To: next})
	_ = ignoreEnded(c.Hangup(context.Background()))
}

func (c *Call) notifyTransfer(ctx context.Context, frag, state string) {
	req := sip.NewRequest(sip.NOTIFY, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(frag + "\r\n"))
	if _, err := c.doInDialog(ctx, req); err != nil {
		c.log.Warn("NOTIFY of transfer progress failed", "error", err)
	}
}
