package sip_test

import (
	"errors"
	"net"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/sip"
)

// rawPeer is a UDP socket that plays the callee by hand, so a test decides
// when (and whether) each response goes out.
type rawPeer struct {
	t    *testing.T
	conn net.PacketConn
}

func newRawPeer(t *testing.T) *rawPeer {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{t: t, conn: conn}
}

// next returns the next request with method, skipping retransmissions of others.
func (p *rawPeer) next(method string, within time.Duration) (*sipgo.Request, net.Addr) {
	p.t.Helper()
	_ = p.conn.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 65535)
	for {
		n, from, err := p.conn.ReadFrom(buf)
		if err != nil {
			p.t.Fatalf("no %s within %v: %v", method, within, err)
		}
		msg, err := sipgo.ParseMessage(buf[:n])
		if err != nil {
			continue
		}
		if req, ok := msg.(*sipgo.Request); ok && req.Method.String() == method {
			return req, from
		}
	}
}

func (p *rawPeer) respond(req *sipgo.Request, to net.Addr, code int, reason string) {
	p.t.Helper()
	res := sipgo.NewResponseFromRequest(req, code, reason, nil)
	if code > 100 && code < 300 {
		res.To().Params.Add("tag", "callee")
	}
	if _, err := p.conn.WriteTo([]byte(res.String()), to); err != nil {
		p.t.Fatal(err)
	}
}

// dialRawPeer calls a rawPeer from a UA on clock and returns once its
// INVITE has arrived.
func dialRawPeer(t *testing.T, clock sip.Clock) (*rawPeer, *sip.Call, *sipgo.Request, net.Addr) {
	t.Helper()
	peer := newRawPeer(t)
	ua := newUA(t, sip.Config{Clock: clock})
	c, err := ua.Dial(ctxFor(t, 5*time.Second), "sip:customer@"+peer.conn.LocalAddr().String(), sip.Audio{})
	if err != nil {
		t.Fatal(err)
	}
	invite, from := peer.next("INVITE", 5*time.Second)
	return peer, c, invite, from
}

// TestHangupBeforeRingingCancelsOnFirstProvisional: the agent hangs up
// before any 1xx; CANCEL may not be sent yet (RFC 3261 §9.1), so it goes
// out when the 180 arrives and the callee stops ringing.
func TestHangupBeforeRingingCancelsOnFirstProvisional(t *testing.T) {
	t.Parallel()
	clock := sip.NewFakeClock()
	peer, c, invite, from := dialRawPeer(t, clock)
	hungUp := make(chan error, 1)
	go func() { hungUp <- c.Hangup(ctxFor(t, 10*time.Second)) }()
	<-clock.WaitArmed(1) // Hangup waits for a 1xx (its give-up timer is set)
	select {
	case err := <-hungUp:
		t.Fatalf("Hangup returned before any provisional response (%v): the callee would ring on", err)
	default:
	}
	peer.respond(invite, from, 180, "Ringing")
	cancel, from := peer.next("CANCEL", 3*time.Second)
	if cancel.CallID().Value() != invite.CallID().Value() {
		t.Fatalf("CANCEL for call %s, want %s", cancel.CallID().Value(), invite.CallID().Value())
	}
	peer.respond(cancel, from, 200, "OK")
	peer.respond(invite, from, 487, "Request Terminated")
	select {
	case err := <-hungUp:
		if err != nil {
			t.Fatalf("Hangup: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Hangup did not return after the 487")
	}
	if end := waitDone(t, c, 5*time.Second); end.By != sip.EndedByLocal || !errors.Is(end.Err, sip.ErrCallCancelled) {
		t.Fatalf("end %+v, want ErrCallCancelled by local", end)
	}
}

// TestHangupWithSilentCalleeGivesUp: a callee that never answers at all
// does not keep Hangup waiting for Timer B: it gives up after the
// provisional wait, on the UA's clock.
func TestHangupWithSilentCalleeGivesUp(t *testing.T) {
	t.Parallel()
	clock := sip.NewFakeClock()
	_, c, _, _ := dialRawPeer(t, clock)
	hungUp := make(chan error, 1)
	go func() { hungUp <- c.Hangup(ctxFor(t, 20*time.Second)) }()
	<-clock.WaitArmed(1)
	clock.Advance(sip.CancelWait1xx)
	select {
	case err := <-hungUp:
		if err != nil {
			t.Fatalf("Hangup: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Hangup still waits for a silent callee after the give-up time")
	}
	if end := waitDone(t, c, 5*time.Second); !errors.Is(end.Err, sip.ErrCallCancelled) {
		t.Fatalf("end %+v, want ErrCallCancelled", end)
	}
}

// TestCancelledCallsShareOneSentinel: a call the caller gives up while it
// rings ends with ErrCallCancelled on both sides, so callers of the
// package branch with errors.Is whichever way the call went.
func TestCancelledCallsShareOneSentinel(t *testing.T) {
	t.Parallel()
	callee := newUA(t, sip.Config{})
	caller := newUA(t, sip.Config{})
	out, err := caller.Dial(ctxFor(t, 5*time.Second), "sip:agent@"+callee.SIPAddr().String(), sip.Audio{})
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, callee, 5*time.Second)
	waitCallEvent(t, out, 5*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Ringing); return ok })
	if err := out.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("Hangup: %v", err)
	}
	for name, c := range map[string]*sip.Call{"caller": out, "callee": in} {
		if end := waitDone(t, c, 5*time.Second); !errors.Is(end.Err, sip.ErrCallCancelled) || end.Answered {
			t.Errorf("%s: end %+v, want ErrCallCancelled", name, end)
		}
	}
	if err := in.Answer(ctxFor(t, time.Second), sip.Audio{}); !errors.Is(err, sip.ErrCallCancelled) {
		t.Errorf("answering the cancelled call: %v, want ErrCallCancelled", err)
	}
}

// TestHoldGlare: both sides put the call on hold at the same moment. Each
// re-INVITE meets the other's (RFC 3261 §14.2: 491 Request Pending); each
// side waits its random time and tries again, and both end up held.
func TestHoldGlare(t *testing.T) {
	t.Parallel()
	alice, bob := newUA(t, sip.Config{}), newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	out, err := alice.Dial(ctxFor(t, 5*time.Second), "sip:bob@"+bob.SIPAddr().String(), audio)
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, bob, 5*time.Second)
	bobAudio, _ := fileAudio(t, "")
	if err := in.Answer(ctxFor(t, 5*time.Second), bobAudio); err != nil {
		t.Fatal(err)
	}
	if err := out.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	for _, c := range []*sip.Call{out, in} {
		go func() { errs <- c.Hold(ctxFor(t, 15*time.Second)) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("hold: %v", err)
		}
	}
	for name, c := range map[string]*sip.Call{"alice": out, "bob": in} {
		if local, remote := c.Held(); !local || !remote {
			t.Errorf("%s: held locally %v, by the other side %v; want both", name, local, remote)
		}
	}
}
