package sip_test

import (
	"errors"
	"testing"
	"time"

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
