package sip

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// Call is one call, outgoing or incoming. Its methods are safe from any
// goroutine; Done closes when it is over.
type Call struct {
	ua       *UA
	log      *slog.Logger
	outbound bool
	remote   sip.Uri
	display  string

	// Exactly one of uac (we called) and uas (they called) is set.
	uac *sipgo.DialogClientSession
	uas *sipgo.DialogServerSession
	// inviteTx is the server transaction of their INVITE (uas only).
	inviteTx sip.ServerTransaction

	mu          sync.Mutex
	key         string
	media       MediaSession
	audio       Audio
	started     bool // media running
	neg         Negotiation
	offered     []media.Codec
	offeredDTMF *media.Codec // the telephone-event and RED of our last offer
	offeredRED  *media.Codec
	keys        srtpKeys // our SRTP master keys, one per suite, for the whole call
	offeredSRTP []Crypto // the crypto lines of our last offer
	sdpVersion  uint64
	sessionID   uint64
	localHold   bool
	remoteHold  bool
	muted       bool
	answered    time.Time
	answeredCh  chan struct{}
	provisional bool                     // a 1xx arrived, so CANCEL is possible
	cancelOn1xx bool                     // hung up before any 1xx: CANCEL when one arrives
	lateOffer   bool                     // the INVITE had no SDP: we offer in the 200
	ackSDP      []byte                   // the answer in the ACK, for a late offer
	earlySDP    []byte                   // outgoing: the answer a 1xx carried (early media)
	reoffered   bool                     // we offered in a 200 to an offerless re-INVITE: the ACK answers
	reofferCSeq uint32                   // that re-INVITE's CSeq
	okSent      bool                     // incoming: our 200 went out (answer2xx.go)
	acks        map[uint32]chan struct{} // 2xx of ours awaiting their ACK, by INVITE CSeq
	reinviting  bool                     // our re-INVITE awaits its answer: theirs gets 491
	created     time.Time
	dtmfGot     strings.Builder
	cancelDial  context.CancelCauseFunc
	transfer    chan TransferProgress
	decide      chan decision // incoming: Answer or Reject
	decided     bool          // ring took the decision and will send its result
	replacement *Call
	changing    chan struct{} // a token while one of our session changes runs (renegotiate.go)
	ext         callExt       // our offer's direction and monitoring (replaces.go, monitor.go)

	events  chan CallEvent
	done    chan struct{}
	endOnce sync.Once
	end     EndInfo
}

// decision is the agent's answer to a ringing incoming call.
type decision struct {
	answer bool
	audio  Audio
	code   int
	result chan error
}

func newCall(u *UA, outbound bool, remote sip.Uri, display string) *Call {
	return &Call{
		ua: u, log: u.log, outbound: outbound, remote: remote, display: display,
		created:    u.clock.Now(),
		sessionID:  uint64(u.clock.Now().UnixNano()),
		events:     make(chan CallEvent, 32),
		done:       make(chan struct{}),
		transfer:   make(chan TransferProgress, 8),
		decide:     make(chan decision, 1),
		answeredCh: make(chan struct{}),
		keys:       srtpKeys{},
		changing:   make(chan struct{}, 1),
	}
}

// Outbound is true when we placed the call.
func (c *Call) Outbound() bool { return c.outbound }

// Remote is the other party's SIP URI.
func (c *Call) Remote() string { return c.remote.String() }

// RemoteUser is the user part of the other party's URI (the number).
func (c *Call) RemoteUser() string { return c.remote.User }

// DisplayName is the other party's display name, if any.
func (c *Call) DisplayName() string { return c.display }

// CallID is the SIP Call-ID.
func (c *Call) CallID() string {
	if c.uac != nil {
		if id := c.uac.InviteRequest.CallID(); id != nil {
			return string(*id)
		}
	}
	if c.uas != nil {
		if id := c.uas.InviteRequest.CallID(); id != nil {
			return string(*id)
		}
	}
	return ""
}

// Events delivers what happens to the call; Ended is the last one.
func (c *Call) Events() <-chan CallEvent { return c.events }

// Done closes when the call is over.
func (c *Call) Done() <-chan struct{} { return c.done }

// End says how the call ended; valid after Done.
func (c *Call) End() EndInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.end
}

// Codec is the negotiated audio codec name, empty before answer.
func (c *Call) Codec() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg.Codec.Name
}

// AnsweredAt is when the call was answered (zero if never).
func (c *Call) AnsweredAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answered
}

// DTMFReceived lists the digits the far end sent so far.
func (c *Call) DTMFReceived() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dtmfGot.String()
}

// Replacement is the call that replaced this one after the far end
// transferred us (REFER), or nil.
func (c *Call) Replacement() *Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replacement
}

// Stats are the media figures so far.
func (c *Call) Stats() media.Stats {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return media.Stats{}
	}
	return m.Stats()
}

// SourceDone closes when the audio source ran out (a --play file ended).
func (c *Call) SourceDone() <-chan struct{} {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return nil
	}
	return m.SourceDone()
}

func (c *Call) emit(e CallEvent) {
	select {
	case c.events <- e:
	default:
		c.log.Warn("call event dropped: nobody reads call events", "event", fmt.Sprintf("%T", e))
	}
}

// finish ends the call once: stops media, forgets the dialog, tells the owner.
func (c *Call) finish(by string, err error) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		m, key := c.media, c.key
		c.end.By, c.end.Err = by, err
		c.end.Answered = !c.answered.IsZero()
		info := c.end
		c.mu.Unlock()
		if m != nil {
			if cerr := m.Close(); cerr != nil {
				c.log.Warn("closing media", "error", cerr)
			}
			c.log.Info("call ended", "call_id", c.CallID(), "by", by, "error", err, "stats", m.Stats())
		}
		if key != "" {
			c.ua.removeCall(key)
		}
		if c.outbound {
			c.ua.dialEnded(c.CallID())
		}
		if c.uac != nil {
			c.uac.Close()
		}
		if c.uas != nil {
			c.uas.Close()
		}
		c.emit(Ended{Info: info})
		close(c.done)
	})
}

// startMedia starts or updates the RTP session for the negotiated params.
func (c *Call) startMedia(n Negotiation) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	params := media.SessionParams{Remote: n.Remote, Codec: n.Codec, DTMF: n.DTMF, Direction: n.Direction, SRTP: n.SRTP, RED: n.RED, PTAlias: n.PTAlias}
	if c.started {
		// media.Update is all or nothing: the call keeps the negotiation
		// the media still runs on when it fails.
		if err := c.media.Update(params); err != nil {
			return err
		}
		c.neg = n
		return nil
	}
	if err := c.media.Start(params, c.audio.Source, c.audio.Sink); err != nil {
		return fmt.Errorf("starting audio: %w", err)
	}
	c.neg = n
	c.started = true
	digits := c.media.DTMF()
	c.ua.group.Go(func() { c.forwardDTMF(digits) })
	return nil
}

// forwardDTMF turns media's received digits into call events until the call ends.
func (c *Call) forwardDTMF(digits <-chan rune) {
	for {
		select {
		case <-c.done:
			return
		case d, ok := <-digits:
			if !ok {
				return
			}
			c.gotDTMF(d)
		}
	}
}

func (c *Call) gotDTMF(d rune) {
	c.mu.Lock()
	c.dtmfGot.WriteRune(d)
	c.mu.Unlock()
	c.emit(DTMFReceived{Digit: d})
}

// localSDP builds our offer or answer with the current direction; secure
// and crypto say RTP/SAVP and carry our SRTP keys; red is RFC 2198
// redundancy offered after the codecs; layout and stream are the
// session's m= lines and our audio among them (nil: audio only).
func (c *Call) localSDP(codecs []media.Codec, red, dtmf *media.Codec, dir media.Direction, secure bool, crypto []Crypto, layout []Slot, stream int) ([]byte, error) {
	c.sdpVersion++
	return MarshalSDP(LocalMedia{
		Addr: c.media.LocalAddr(), Codecs: codecs, RED: red, DTMF: dtmf, Direction: dir,
		SessionID: c.sessionID, Version: c.sdpVersion, Secure: secure, Crypto: crypto,
		Layout: layout, Stream: stream,
	})
}

// offerSDP builds a full offer (new call, late offer): every codec we have
// and the crypto lines the SRTP mode asks for. c.mu must be held.
func (c *Call) offerSDP() ([]byte, error) {
	lines, secure, err := c.keys.offer(c.ua.cfg.SRTP)
	if err != nil {
		return nil, err
	}
	c.offeredSRTP = lines
	te := media.DefaultTelephoneEvent()
	var red *media.Codec
	for _, cd := range c.ua.cfg.Codecs {
		if strings.EqualFold(cd.Name, media.CodecOpus) {
			r := media.REDCodec(cd) // burst protection when the loss calls for it
			red = &r
			break
		}
	}
	c.offeredDTMF, c.offeredRED = &te, red
	return c.localSDP(c.ua.cfg.Codecs, red, &te, c.ext.offerDir, secure, lines, nil, 0)
}

// currentSDP offers or answers with the session as negotiated (codec,
// direction dir, the SRTP line in use, every m= line of the session).
// c.mu must be held.
func (c *Call) currentSDP(n Negotiation, dir media.Direction) ([]byte, error) {
	return c.localSDP([]media.Codec{n.Codec}, n.RED, n.DTMF, dir, n.Secure, n.cryptoLines(), n.Layout, n.Stream)
}

// wantDirection is what we would like: on local hold we only send.
func (c *Call) wantDirection() media.Direction {
	if c.localHold {
		return media.SendOnly
	}
	return media.SendRecv
}

// Mute stops sending the microphone (silence is sent instead).
func (c *Call) Mute(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.muted = on
	if c.media != nil {
		c.media.SetMute(on || c.localHold)
	}
}

// Muted reports the agent's mute switch.
func (c *Call) Muted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.muted
}

// Held reports local and remote hold.
func (c *Call) Held() (local, remote bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.localHold, c.remoteHold
}

// SendDTMF sends digits as RFC 4733 events, or as SIP INFO when the far
// end did not negotiate telephone-event.
func (c *Call) SendDTMF(ctx context.Context, digits string) error {
	for _, d := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcd", d) {
			return fmt.Errorf("%q is not a DTMF key: use 0-9, *, # or A-D", d)
		}
	}
	c.mu.Lock()
	m, rfc4733 := c.media, c.neg.DTMF != nil
	c.mu.Unlock()
	if c.isDone() || m == nil {
		return ErrCallEnded
	}
	if rfc4733 {
		return m.SendDTMF(strings.ToUpper(digits))
	}
	for _, d := range strings.ToUpper(digits) {
		if err := c.sendInfoDTMF(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// ringingIn reports an incoming call not answered yet.
func (c *Call) ringingIn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.outbound && c.answered.IsZero()
}

func (c *Call) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// doInDialog sends a request inside the dialog and waits for its final response.
func (c *Call) doInDialog(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.ua.cfg.RequestTimeout)
	defer cancel()
	req.SetTransport(c.ua.cfg.Transport)
	var (
		res *sip.Response
		err error
	)
	if c.uac != nil {
		res, err = c.uac.Do(ctx, req)
	} else {
		res, err = c.uas.Do(ctx, req)
	}
	if err != nil {
		return nil, c.ua.requestError("the other side", c.remote.String(), err)
	}
	return res, nil
}

// remoteTarget is where in-dialog requests go: the far end's Contact.
func (c *Call) remoteTarget() sip.Uri {
	if c.uac != nil && c.uac.InviteResponse != nil {
		if ct := c.uac.InviteResponse.Contact(); ct != nil {
			return ct.Address
		}
		return c.uac.InviteRequest.Recipient
	}
	if c.uas != nil {
		if ct := c.uas.InviteRequest.Contact(); ct != nil {
			return ct.Address
		}
	}
	return c.remote
}

// Hangup ends the call: BYE when answered, CANCEL while an outgoing call
// rings, 603 Decline for an incoming call not yet answered.
func (c *Call) Hangup(ctx context.Context) error {
	if c.isDone() {
		return ErrCallEnded
	}
	c.mu.Lock()
	// Once our 200 is out the caller may have the call: BYE (sent once
	// the ACK came, or the 2xx gave up waiting for it, RFC 3261 §15).
	answered := !c.answered.IsZero() || (!c.outbound && c.okSent)
	cancelDial := c.cancelDial
	c.mu.Unlock()
	switch {
	case !answered && c.outbound:
		c.mu.Lock()
		rang := c.provisional
		c.cancelOn1xx = !rang
		c.mu.Unlock()
		if rang {
			cancelDial(errHungUpEarly) // sipgo sends CANCEL
		}
		// Without a 1xx yet, CANCEL must wait for one (RFC 3261 §9.1):
		// waitAnswer sends it when it comes, so the callee stops ringing.
		// If none comes soon, the callee never saw the INVITE: stop here.
		giveUp := c.ua.clock.NewTimer(cancelWait1xx)
		defer giveUp.Stop()
		select {
		case <-c.done:
			return nil
		case <-giveUp.C():
			cancelDial(sipgo.WaitAnswerForceCancelErr)
			select {
			case <-c.done:
			case <-ctx.Done():
			}
			return nil
		case <-ctx.Done():
			cancelDial(sipgo.WaitAnswerForceCancelErr)
			return fmt.Errorf("cancelling the call: %w", ctx.Err())
		}
	case !answered:
		return c.decideWith(ctx, decision{code: 603})
	}
	ctx, cancel := context.WithTimeout(ctx, c.ua.cfg.RequestTimeout)
	defer cancel()
	var err error
	if c.uac != nil {
		err = c.uac.Bye(ctx)
	} else {
		err = c.uas.Bye(ctx)
	}
	c.finish(EndedByLocal, nil)
	if err != nil {
		return fmt.Errorf("the other side did not confirm the hang-up (the call is ended here): %w", err)
	}
	return nil
}

// cancelWait1xx is how long Hangup waits for a first provisional response
// that lets it CANCEL an outgoing call.
const cancelWait1xx = 2 * time.Second
