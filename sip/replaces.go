package sip

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// DialogRef names one dialog the way the Replaces (RFC 3891 §6.1) and Join
// (RFC 3911) headers do: its Call-ID, and the tags as the UA receiving the
// header sees them (ToTag is its own tag, FromTag the other party's).
type DialogRef struct {
	CallID, ToTag, FromTag string
	// EarlyOnly asks to replace the dialog only while it is not answered.
	EarlyOnly bool
}

// ErrBadDialogRef means a Replaces or Join header could not be read.
var ErrBadDialogRef = errors.New("bad Replaces/Join header")

// ParseDialogRef reads "callid;to-tag=a;from-tag=b[;early-only]".
func ParseDialogRef(v string) (DialogRef, error) {
	parts := strings.Split(strings.TrimSpace(v), ";")
	r := DialogRef{CallID: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "to-tag":
			r.ToTag = strings.TrimSpace(val)
		case "from-tag":
			r.FromTag = strings.TrimSpace(val)
		case "early-only":
			r.EarlyOnly = true
		}
	}
	if r.CallID == "" || r.ToTag == "" || r.FromTag == "" {
		return DialogRef{}, fmt.Errorf("%w: %q needs a Call-ID, to-tag and from-tag", ErrBadDialogRef, v)
	}
	return r, nil
}

// String formats the header value.
func (r DialogRef) String() string {
	s := r.CallID + ";to-tag=" + r.ToTag + ";from-tag=" + r.FromTag
	if r.EarlyOnly {
		s += ";early-only"
	}
	return s
}

// callExt is a call's state for Replaces, Join and monitoring.
type callExt struct {
	offerDir media.Direction         // the direction of our initial offer (listen: recvonly)
	monitor  *MonitorRequest         // set when the INVITE asked to monitor a call
	gate     func(mode string) error // checks a supervisor's mode switch
}

// tags returns our tag and the far end's tag in this dialog.
func (c *Call) tags() (local, remote string) {
	if c.uac != nil {
		local = tagOf(c.uac.InviteRequest.From().Params)
		if res := c.uac.InviteResponse; res != nil {
			remote = tagOf(res.To().Params)
		}
		return local, remote
	}
	if c.uas != nil {
		return tagOf(c.uas.InviteRequest.To().Params), tagOf(c.uas.InviteRequest.From().Params)
	}
	return "", ""
}

// RefForPeer names this dialog as the far end of this call sees it: what
// a Replaces or Join header sent to that party must carry.
func (c *Call) RefForPeer() DialogRef {
	local, remote := c.tags()
	return DialogRef{CallID: c.CallID(), ToTag: remote, FromTag: local}
}

// replacingTarget is a Refer-To value that asks the transferee to call
// consult's party with Replaces, so that party swaps our consultation for
// the transferee (RFC 5589 §7).
func replacingTarget(consult *Call) string {
	return "<" + consult.remote.String() + "?Replaces=" + url.QueryEscape(consult.RefForPeer().String()) + ">"
}

// TransferReplacing completes an attended transfer: c (the caller, usually
// on hold) is asked by REFER to call consult's party with a Replaces
// header. It returns once that party answered (the transfer is done: we
// hang up c, and consult's party ends the consultation, or we do after
// replacedWait) or failed (both calls are kept as they are). Progress is
// reported as TransferProgress events on c.
func (c *Call) TransferReplacing(ctx context.Context, consult *Call) error {
	if c.isDone() || consult.isDone() {
		return ErrCallEnded
	}
	if consult.AnsweredAt().IsZero() {
		return errors.New("the consultation call is not answered yet: wait for the other party to pick up, or cancel it")
	}
	// A REFER sent while our hold re-INVITE is unanswered gets 491.
	if err := c.waitStable(ctx); err != nil {
		return err
	}
	if err := consult.waitStable(ctx); err != nil {
		return err
	}
	// A transferee that does not support Replaces (baresip 1.0) would call
	// a garbled address: it gets a plain transfer to the consulted party
	// instead, who takes the caller as a second call.
	withReplaces := c.remoteSupports("replaces")
	referTo := "<" + consult.remote.String() + ">"
	if withReplaces {
		referTo = replacingTarget(consult)
	}
	who := consult.remote.String()
	res, err := c.doPending(ctx, func() *sip.Request {
		req := sip.NewRequest(sip.REFER, c.remoteTarget())
		req.AppendHeader(sip.NewHeader("Refer-To", referTo))
		req.AppendHeader(sip.NewHeader("Referred-By", "<"+c.ua.AOR()+">"))
		return req
	})
	if err != nil {
		return fmt.Errorf("transfer to %s: %w", who, err)
	}
	if res.StatusCode != sip.StatusAccepted && res.StatusCode != sip.StatusOK {
		return fmt.Errorf("the caller's phone refused the transfer: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	if err := c.waitTransferOutcome(ctx, who); err != nil {
		return err
	}
	c.markTransferred()
	consult.markTransferred()
	if err := c.Hangup(ctx); err != nil && !errors.Is(err, ErrCallEnded) {
		c.log.Warn("hanging up the caller after the transfer", "error", err)
	}
	if withReplaces {
		// The target ends the consultation when it takes the replacing call.
		t := c.ua.clock.NewTimer(replacedWait)
		defer t.Stop()
		select {
		case <-consult.Done():
			return nil
		case <-t.C():
		}
	}
	if err := consult.Hangup(context.Background()); err != nil && !errors.Is(err, ErrCallEnded) {
		c.log.Warn("hanging up the consultation after the transfer", "error", err)
	}
	return nil
}

// remoteSupports reports whether the far end listed the option tag (e.g.
// "replaces") in the Supported header of its INVITE or of its answer.
func (c *Call) remoteSupports(tag string) bool {
	var msg interface{ GetHeaders(string) []sip.Header }
	switch {
	case c.uas != nil:
		msg = c.uas.InviteRequest
	case c.uac != nil && c.uac.InviteResponse != nil:
		msg = c.uac.InviteResponse
	default:
		return false
	}
	for _, h := range msg.GetHeaders("Supported") {
		for _, t := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	for _, h := range msg.GetHeaders("k") { // compact form
		for _, t := range strings.Split(h.Value(), ",") {
			if strings.EqualFold(strings.TrimSpace(t), tag) {
				return true
			}
		}
	}
	return false
}

// replacedWait is how long the transfer target has to end the replaced
// consultation itself before we hang it up.
const replacedWait = 4 * time.Second

func (c *Call) markTransferred() {
	c.mu.Lock()
	c.end.Transferred = true
	c.mu.Unlock()
}

// waitTransferOutcome waits for the final NOTIFY of a REFER we sent: nil
// when the target answered, an error (with the target's status) otherwise.
func (c *Call) waitTransferOutcome(ctx context.Context, who string) error {
	wait, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	for {
		select {
		case p := <-c.transfer:
			switch {
			case p.Code < 200:
				continue
			case p.Code >= 300:
				return fmt.Errorf("transfer to %s failed; both calls are kept: %w", who, &StatusError{Code: p.Code, Reason: p.Reason})
			}
			return nil
		case <-c.done:
			// The transferee may hang up on us as soon as the target answers.
			if c.End().By == EndedByRemote {
				return nil
			}
			return ErrCallEnded
		case <-wait.Done():
			return fmt.Errorf("transfer to %s: no answer from the target within %s; the calls are still yours", who, transferTimeout)
		}
	}
}

// referTarget splits a Refer-To value into the URI to call and the
// Replaces header embedded in it (RFC 3515 §2.1: ?Replaces=...), if any.
func referTarget(value string) (target string, replaces string, err error) {
	target = strings.TrimSpace(value)
	if i := strings.IndexByte(target, '<'); i >= 0 {
		if j := strings.IndexByte(target[i:], '>'); j > 0 {
			target = target[i+1 : i+j]
		}
	}
	before, query, found := strings.Cut(target, "?")
	if !found {
		return target, "", nil
	}
	for _, kv := range strings.Split(query, "&") {
		name, val, _ := strings.Cut(kv, "=")
		if !strings.EqualFold(name, "Replaces") {
			continue
		}
		v, err := url.QueryUnescape(val)
		if err != nil {
			return "", "", fmt.Errorf("%w: %v", ErrBadDialogRef, err)
		}
		if _, err := ParseDialogRef(v); err != nil {
			return "", "", err
		}
		replaces = v
	}
	return before, replaces, nil
}

// matchDialog finds the call a Replaces or Join header names. It must be
// answered; an early-only Replaces of an answered call is refused.
func (u *UA) matchDialog(value string) (*Call, int, error) {
	ref, err := ParseDialogRef(value)
	if err != nil {
		return nil, sip.StatusBadRequest, err
	}
	u.mu.Lock()
	c := u.calls[dialogKey(ref.CallID, ref.ToTag, ref.FromTag)]
	u.mu.Unlock()
	switch {
	case c == nil || c.isDone() || c.AnsweredAt().IsZero():
		return nil, sip.StatusCallTransactionDoesNotExists, fmt.Errorf("no answered call matches %s", value)
	case ref.EarlyOnly:
		return nil, sip.StatusBusyHere, errors.New("early-only, but the call is answered")
	}
	return c, 0, nil
}

// acceptReplacing answers an INVITE with Replaces at once (RFC 3891 §3):
// the new call takes over the old one's audio, the old one is told
// (Transferred) and hung up. It runs in the INVITE's handler.
func (c *Call) acceptReplacing(old *Call) {
	audio := old.lendAudio()
	if err := c.accept(audio); err != nil {
		old.returnAudio(audio)
		c.log.Warn("could not take the replacing call; the old one stays", "error", err)
		return
	}
	c.log.Info("call replaced", "old", old.CallID(), "new", c.CallID(), "by", c.Remote())
	old.mu.Lock()
	old.replacement = c
	old.end.Transferred = true
	old.mu.Unlock()
	old.emit(Transferred{To: c})
	ctx, cancel := context.WithTimeout(c.ua.ctx, c.ua.cfg.RequestTimeout)
	defer cancel()
	if err := old.Hangup(ctx); err != nil && !errors.Is(err, ErrCallEnded) {
		c.log.Warn("hanging up the replaced call", "error", err)
	}
}

// lendAudio detaches the call's source and sink from its RTP session (it
// sends silence from then on) and returns them for another call.
func (c *Call) lendAudio() Audio {
	c.mu.Lock()
	audio, m, started := c.audio, c.media, c.started
	c.mu.Unlock()
	if m != nil && started {
		if err := errors.Join(m.SetSource(nil), m.SetSink(nil)); err != nil {
			c.log.Warn("detaching the call's audio", "error", err)
		}
	}
	return audio
}

// returnAudio gives the call its audio back after lendAudio.
func (c *Call) returnAudio(a Audio) {
	c.mu.Lock()
	m, started := c.media, c.started
	c.mu.Unlock()
	if m != nil && started {
		if err := errors.Join(m.SetSource(a.Source), m.SetSink(a.Sink)); err != nil {
			c.log.Warn("reattaching the call's audio", "error", err)
		}
	}
}
