package sip_test

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/homeshore/homeshore/sip"
)

// Our side as the caller, against sipp playing callees a PBX or a phone
// network puts in front of us (RFC 3261 §9.1, §13.2.2).

// hangUpWhileRinging dials sipp's scenario and hangs up at its 180.
func hangUpWhileRinging(t *testing.T, scenario string) {
	t.Helper()
	s, uri := sippAnswers(t, scenario)
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Ringing); return ok })
	if err := c.Hangup(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	if end := waitDone(t, c, 10*time.Second); !errors.Is(end.Err, sip.ErrCallCancelled) || end.Answered {
		t.Fatalf("end %+v, want cancelled, never answered", end)
	}
	// sipp checks the ACK and the BYE of the session we did not want.
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// TestCancelCrossesAnswer: the callee's 200 crosses our CANCEL. The
// customer's phone has a call up: we must ACK it and hang up with BYE
// (before, sipgo dropped the 200 and the customer heard silence for 32 s).
func TestCancelCrossesAnswer(t *testing.T) {
	t.Parallel()
	hangUpWhileRinging(t, "uas_answer_crosses_cancel.xml")
}

// TestCancelRefusedAfterAnswer: the callee answered before our CANCEL
// reached it and refuses the CANCEL (481); its 200 then reaches no
// transaction of ours but is still acknowledged and ended.
func TestCancelRefusedAfterAnswer(t *testing.T) {
	t.Parallel()
	hangUpWhileRinging(t, "uas_answer_refuses_cancel.xml")
}

// TestHangUpBeforeAnyRingAnsweredAtOnce: the agent hangs up before any
// 1xx (so no CANCEL can go) and the callee then answers with a bare 200:
// the call must not come up; its session is ended with BYE.
func TestHangUpBeforeAnyRingAnsweredAtOnce(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_answer_at_once.xml")
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	if end := waitDone(t, c, 10*time.Second); end.Answered || end.By != sip.EndedByLocal {
		t.Fatalf("end %+v, want ended here, never answered", end)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// TestLongRingIsAnswered: more than ten provisional responses (sipgo's
// WaitAnswer gave up with "more than 10 responses received").
func TestLongRingIsAnswered(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_ring_long.xml")
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered after a long ring: %v", err)
	}
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// rtpSink is a UDP socket standing for the far end's media port.
func rtpSink(t *testing.T) (net.PacketConn, string) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)
}

// waitRTP waits for a PCMU RTP packet on conn.
func waitRTP(t *testing.T, conn net.PacketConn, within time.Duration) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 1500)
	for {
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no RTP where the SDP said: %v", err)
		}
		var p rtp.Packet
		if p.Unmarshal(buf[:n]) == nil && p.Version == 2 && p.PayloadType == 0 {
			return
		}
	}
}

// TestAnswerIn180And200WithoutSDP: the answer came as early media in a
// 180 and the 200 had no body; we hung up with "bad SDP: no m= line" (and
// took SDP only from 183s).
func TestAnswerIn180And200WithoutSDP(t *testing.T) {
	t.Parallel()
	rtpConn, rtpPort := rtpSink(t)
	s, uri := sippAnswers(t, "uas_180_sdp.xml", "-key", "rtp", rtpPort)
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.EarlyMedia); return ok })
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered: %v", err)
	}
	waitRTP(t, rtpConn, 5*time.Second)
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// TestEarlyMediaThenAnswerElsewhere: 183 with one SDP, 200 with another:
// the 200's answer wins and our audio goes there.
func TestEarlyMediaThenAnswerElsewhere(t *testing.T) {
	t.Parallel()
	rtpConn, rtpPort := rtpSink(t)
	s, uri := sippAnswers(t, "uas_early_media_moves.xml", "-key", "rtp", rtpPort)
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered: %v", err)
	}
	waitRTP(t, rtpConn, 5*time.Second)
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}
