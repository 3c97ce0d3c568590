package sip_test

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// RFC 3261 §8.2 UAS behaviour against sipp's own parser and matching.

func TestSippUnsupportedVersionGets505(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_505.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	noIncomingCall(t, ua)
}

func TestSippRequireUnknownGets420(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_420.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	noIncomingCall(t, ua)
}

func TestSippWhitespaceTortureCall(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_whitespace.xml")
	c := nextCall(t, calls, s)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); end.Err != nil || end.By != sip.EndedByRemote || !end.Answered {
		t.Fatalf("end %+v, want answered and ended by sipp's BYE", end)
	}
}

// noIncomingCall fails when a refused request still reached the agent.
func noIncomingCall(t *testing.T, ua *sip.UA) {
	t.Helper()
	for {
		select {
		case ev := <-ua.Events():
			if in, ok := ev.(sip.IncomingCall); ok {
				t.Fatalf("the refused INVITE rang the agent: %s", in.Call.Remote())
			}
		default:
			return
		}
	}
}

// TestSippSessionLevelHold: hold and resume by a session-level direction
// attribute (RFC 4566 §5.7): we answer recvonly (sipp checks there is no
// sendrecv), so we stop sending, and report the remote hold and resume.
func TestSippSessionLevelHold(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_hold_session.xml")
	c := nextCall(t, calls, s)
	held := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if !held.(sip.HoldChanged).Remote {
		t.Fatalf("first hold event %+v, want remote hold", held)
	}
	resumed := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if resumed.(sip.HoldChanged).Remote {
		t.Fatalf("second hold event %+v, want resumed", resumed)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, 5*time.Second)
}

// TestSippAudioVideoOfferKeepsBothLines: an audio+video offer is answered
// with both m= lines, the video refused with port 0 (RFC 3264 §6).
func TestSippAudioVideoOfferKeepsBothLines(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_audio_video.xml")
	c := nextCall(t, calls, s)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); end.Err != nil || !end.Answered {
		t.Fatalf("end %+v", end)
	}
}

// nextCall waits for answerAll's next call, or fails with sipp's logs.
func nextCall(t *testing.T, calls <-chan *sip.Call, s *testenv.SippRun) *sip.Call {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-time.After(sippWait):
		t.Fatalf("no call reached the agent:\n%s", s.Logs())
		return nil
	}
}

// TestSippOfferlessResume: resumed by a re-INVITE without SDP, we offer
// sendrecv in our 200 (not the recvonly we were held into) and take the
// answer from the ACK.
func TestSippOfferlessResume(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_offerless_resume.xml")
	c := nextCall(t, calls, s)
	held := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if !held.(sip.HoldChanged).Remote {
		t.Fatalf("first hold event %+v, want remote hold", held)
	}
	resumed := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if resumed.(sip.HoldChanged).Remote {
		t.Fatalf("second hold event %+v, want resumed by the ACK's answer", resumed)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, 5*time.Second)
}
