package sip

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// ParseTarget turns what an agent types into a SIP URI: a full
// sip:/sips: URI, user@host, or a bare number or name in our domain.
func (u *UA) ParseTarget(target string) (sip.Uri, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return sip.Uri{}, errors.New("no number or address to call")
	}
	text := target
	if !strings.HasPrefix(text, "sip:") && !strings.HasPrefix(text, "sips:") {
		if !strings.Contains(text, "@") {
			if u.cfg.Domain == "" {
				return sip.Uri{}, fmt.Errorf("%q has no host and no SIP server is configured: call sip:%s@HOST", target, target)
			}
			text = text + "@" + u.cfg.Domain
		}
		text = "sip:" + text
	}
	var uri sip.Uri
	if err := sip.ParseUri(text, &uri); err != nil || uri.Host == "" {
		return sip.Uri{}, fmt.Errorf("%q is not a SIP address: use sip:user@host[:port] or a number", target)
	}
	return uri, nil
}

// Dial places a call and returns at once; the call rings in the
// background. Wait for WaitAnswered, watch Events, or Hangup to cancel.
func (u *UA) Dial(ctx context.Context, target string, audio Audio, opts ...DialOption) (*Call, error) {
	if u.ctx.Err() != nil {
		return nil, ErrClosed
	}
	uri, err := u.ParseTarget(target)
	if err != nil {
		return nil, err
	}
	m, err := u.newMedia(u.localIP)
	if err != nil {
		return nil, fmt.Errorf("opening audio for the call: %w", err)
	}
	c := newCall(u, true, uri, "")
	c.media, c.audio, c.offered = m, audio, u.cfg.Codecs
	extra := c.applyDialOptions(opts)
	c.mu.Lock()
	body, err := c.offerSDP()
	c.mu.Unlock()
	if err != nil {
		return nil, errors.Join(fmt.Errorf("building the SDP offer: %w", err), m.Close())
	}
	req := sip.NewRequest(sip.INVITE, uri)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: u.fromURI(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: uri.Scheme, User: uri.User, Host: uri.Host}, Params: sip.NewParams()})
	req.AppendHeader(u.ourContact())
	u.advertise(req)
	for _, h := range extra {
		req.AppendHeader(h)
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(body)
	req.SetTransport(u.transportFor(uri))
	if dest := u.routeFor(uri); dest != "" {
		req.SetDestination(dest)
	}
	dialCtx, cancel := context.WithCancelCause(u.ctx)
	c.cancelDial = cancel
	session, err := u.dialogUA().WriteInvite(dialCtx, req)
	if err != nil {
		cancel(nil)
		return nil, errors.Join(u.requestError("callee", uri.String(), err), m.Close())
	}
	c.uac = session
	u.noteDialed(c.CallID())
	if !u.group.Go(func() { c.waitAnswer(dialCtx, cancel) }) {
		cancel(ErrClosed)
		session.Close()
		return nil, errors.Join(ErrClosed, m.Close())
	}
	return c, nil
}

// WaitAnswered blocks until the call is answered (nil) or failed. ctx only
// bounds the wait; to cancel the call use Hangup.
func (c *Call) WaitAnswered(ctx context.Context) error {
	select {
	case <-c.answeredCh:
		return nil
	case <-c.done:
		select {
		case <-c.answeredCh:
			return nil
		default:
		}
		if err := c.End().Err; err != nil {
			return err
		}
		return errors.New("the call ended before it was answered")
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Call) waitAnswer(ctx context.Context, cancel context.CancelCauseFunc) {
	defer cancel(nil)
	err := c.waitFinal(ctx, cancel)
	if err == nil && (c.hungUpEarly() || ctx.Err() != nil) {
		// Answered as the agent hung up (before any 1xx, or as sipgo took
		// the 200 rather than our cancel) or as the UA closes.
		c.endUnwanted()
		c.finish(EndedByLocal, errHungUpEarly)
		return
	}
	if err == nil {
		err = c.onAnswered()
	}
	if err != nil {
		if res := c.uac.InviteResponse; res != nil && res.IsSuccess() {
			// The callee picked up as our CANCEL went (RFC 3261 §9.1):
			// its session must still be acknowledged and ended.
			c.endUnwanted()
		}
		if errors.Is(context.Cause(ctx), sipgo.WaitAnswerForceCancelErr) {
			err = errHungUpEarly
		}
		c.finish(EndedByLocal, c.dialError(err, ctx))
	}
}

// waitFinal waits for the INVITE's final response, reporting 1xx.
func (c *Call) waitFinal(ctx context.Context, cancel context.CancelCauseFunc) error {
	cfg := c.ua.cfg
	for {
		// sipgo's WaitAnswer gives up after its eleventh response; a
		// callee ringing long (a queue repeating 180/183, many forked
		// branches) sends more. Count them to tell that limit from a
		// real failure, and wait on.
		seen, lastProvisional := 0, false
		err := c.uac.WaitAnswer(ctx, sipgo.AnswerOptions{
			Username: cfg.AuthUser, Password: cfg.Password,
			OnResponse: func(res *sip.Response) error {
				seen++
				lastProvisional = res.IsProvisional()
				if res.IsProvisional() {
					c.mu.Lock()
					c.provisional = true
					hungUp := c.cancelOn1xx
					c.mu.Unlock()
					if hungUp {
						cancel(errHungUpEarly) // sipgo now sends the CANCEL
						return nil
					}
				}
				if res.IsProvisional() && res.StatusCode > 100 {
					c.onProvisional(res)
				}
				return nil
			},
		})
		if err != nil && seen > wait1xxLimit && lastProvisional && ctx.Err() == nil {
			continue
		}
		return err
	}
}

// wait1xxLimit is how many responses sipgo's WaitAnswer takes before it
// fails with "more than 10 responses received".
const wait1xxLimit = 10

// hungUpEarly reports that the agent hung up before any 1xx came.
func (c *Call) hungUpEarly() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cancelOn1xx
}

// endUnwanted acknowledges the 2xx of an INVITE we no longer want and
// ends its session with BYE.
func (c *Call) endUnwanted() {
	ctx, cancel := context.WithTimeout(c.ua.ctx, c.ua.cfg.RequestTimeout)
	defer cancel()
	if err := c.uac.Ack(ctx); err != nil {
		c.log.Info("ACK to the answer we no longer want", "error", err)
	}
	if err := c.uac.Bye(ctx); err != nil {
		c.log.Info("BYE to the answer we no longer want", "error", err)
	}
}

func (c *Call) onProvisional(res *sip.Response) {
	// Any 1xx may carry the answer as a preview (RFC 3261 §13.2.1, RFC
	// 3960): PBXs send it in 183 and in 180 alike.
	if body, _ := sdpBody(res); body != nil {
		remote, err := ParseSDP(body)
		if err == nil {
			var n Negotiation
			if n, err = c.acceptAnswer(c.offered, remote, media.SendRecv); err == nil {
				if err = c.startMedia(n); err == nil {
					c.mu.Lock()
					c.earlySDP = body
					c.mu.Unlock()
					c.emit(EarlyMedia{Codec: n.Codec.Name})
					return
				}
			}
		}
		c.log.Warn("ignoring unusable early media SDP", "status", res.StatusCode, "error", err)
	}
	c.emit(Ringing{})
}

// onAnswered reads the 200's SDP, starts media and ACKs.
func (c *Call) onAnswered() error {
	res := c.uac.InviteResponse
	body, err := sdpBody(res)
	if err == nil && body == nil {
		// A 200 without SDP after a 1xx that had it: that was the answer.
		c.mu.Lock()
		body = c.earlySDP
		c.mu.Unlock()
		if body == nil {
			err = fmt.Errorf("%w: the callee's 200 OK carries no SDP answer to our offer", ErrBadSDP)
		}
	}
	var remote RemoteSDP
	if err == nil {
		remote, err = ParseSDP(body)
	}
	if err == nil {
		var n Negotiation
		if n, err = c.acceptAnswer(c.offered, remote, media.SendRecv); err == nil {
			err = c.startMedia(n)
		}
	}
	key := dialogKey(c.CallID(), tagOf(res.From().Params), tagOf(res.To().Params))
	if err == nil {
		// Known before the ACK leaves: the far end may send a request (a
		// hold re-INVITE) as soon as it has it.
		c.mu.Lock()
		c.key = key
		c.mu.Unlock()
		c.ua.addCall(key, c)
	}
	ackErr := c.uac.Ack(context.Background())
	if err != nil {
		// We must still ACK the 200, then leave with BYE.
		byeCtx, cancel := context.WithTimeout(context.Background(), c.ua.cfg.RequestTimeout)
		defer cancel()
		_ = c.uac.Bye(byeCtx)
		return fmt.Errorf("the answer is unusable, hung up: %w", err)
	}
	if ackErr != nil {
		return fmt.Errorf("sending ACK: %w", ackErr)
	}
	c.mu.Lock()
	c.answered = c.ua.clock.Now()
	close(c.answeredCh)
	codec, neg := c.neg.Codec.Name, c.neg
	c.mu.Unlock()
	c.emit(Established{Codec: codec})
	c.noteRemoteHold(neg) // a call may start on hold (sendonly, c=0.0.0.0)
	return nil
}

// dialError turns why an outgoing call failed into one sentence.
func (c *Call) dialError(err error, ctx context.Context) error {
	var dr *sipgo.ErrDialogResponse
	switch {
	case errors.As(err, &dr):
		se := &StatusError{Code: dr.Res.StatusCode, Reason: dr.Res.Reason}
		switch se.Code {
		case sip.StatusNotAcceptableHere, 606:
			se.Detail = fmt.Sprintf("no common codec: we offered %s", strings.Join(codecNames(c.offered), ", "))
			if c.ua.cfg.SRTP == SRTPMandatory {
				se.Detail = fmt.Sprintf("the callee refused our offer of %s with encrypted media (SRTP is mandatory in the settings): it may not support SRTP; ask IT, or set SRTP to optional", strings.Join(codecNames(c.offered), ", "))
			}
			if w := dr.Res.GetHeader("Warning"); w != nil {
				se.Detail += "; they said " + w.Value()
				if c.ua.cfg.SRTP == SRTPOff && strings.Contains(w.Value(), "SRTP") {
					se.Detail = "the callee requires encrypted media: turn SRTP on (optional or mandatory); they said " + w.Value()
				}
			}
		case sip.StatusUnauthorized, sip.StatusProxyAuthRequired:
			se.Detail = "the proxy refused our credentials: check the user name and password"
		case sip.StatusNotFound:
			se.Detail = "nobody is registered at " + c.remote.String()
		}
		return se
	case errors.Is(err, errHungUpEarly), errors.Is(context.Cause(ctx), errHungUpEarly):
		return errHungUpEarly
	case errors.Is(err, sip.ErrTransactionTimeout), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: %s did not answer the INVITE: check the address", ErrTimeout, c.remote.String())
	default:
		return err
	}
}

func tagOf(p sip.HeaderParams) string {
	t, _ := p.Get("tag")
	return t
}

// fromURI is our address of record, or our own address without a domain.
func (u *UA) fromURI() sip.Uri {
	if u.cfg.Domain != "" {
		return u.cfg.domainURI("sip", u.cfg.User)
	}
	return sip.Uri{Scheme: "sip", User: u.cfg.User, Host: u.localIP.String()}
}

// transportFor keeps the account's transport unless the URI names one.
func (u *UA) transportFor(uri sip.Uri) string {
	if uri.UriParams != nil {
		if t, ok := uri.UriParams.Get("transport"); ok && t != "" {
			return strings.ToLower(t)
		}
	}
	return u.cfg.Transport
}

// routeFor sends calls to our own domain through the registrar, since the
// domain need not resolve; an outbound proxy takes everything.
func (u *UA) routeFor(uri sip.Uri) string {
	if u.cfg.OutboundProxy != "" {
		h, p, _ := splitHostPort(u.cfg.OutboundProxy, defaultPort(u.cfg.Transport))
		return joinHostPort(h, p)
	}
	if d := u.cfg.domainURI("sip", ""); u.cfg.Registrar != "" && strings.EqualFold(uri.Host, d.Host) && uri.Port == d.Port {
		h, p, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
		return joinHostPort(h, p)
	}
	return ""
}
