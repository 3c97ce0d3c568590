package sip_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

const sippWait = 20 * time.Second

// sippCalls runs a UAC scenario against a UA listening on loopback.
func sippCalls(t *testing.T, ua *sip.UA, scenario string, args ...string) *testenv.SippRun {
	t.Helper()
	args = append(append([]string{"-s", "agent"}, args...), ua.SIPAddr().String())
	return testenv.Sipp(t, scenario, args...)
}

func TestSippCancelBeforeAnswer(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	s := sippCalls(t, ua, "uac_cancel.xml")
	c := nextIncoming(t, ua, 10*time.Second)
	end := waitDone(t, c, 10*time.Second)
	if !errors.Is(end.Err, sip.ErrCallCancelled) || end.By != sip.EndedByRemote {
		t.Fatalf("end = %+v, want cancelled by remote", end)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUnsupportedCodecGets488(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_488.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippByeForUnknownDialogGets481(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_481.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// answerAll answers every incoming call with silence until the test ends.
func answerAll(t *testing.T, ua *sip.UA) <-chan *sip.Call {
	t.Helper()
	calls := make(chan *sip.Call, 4)
	answerEach(t, ua, func(c *sip.Call, _ *mediaWatch) { calls <- c })
	return calls
}

// watchedCall is an answered call and a watch on its audio.
type watchedCall struct {
	*sip.Call
	media *mediaWatch
}

// answerAllWatched is answerAll with a watch on each call's audio.
func answerAllWatched(t *testing.T, ua *sip.UA) <-chan watchedCall {
	t.Helper()
	calls := make(chan watchedCall, 4)
	answerEach(t, ua, func(c *sip.Call, w *mediaWatch) { calls <- watchedCall{c, w} })
	return calls
}

// answerEach answers every incoming call with silence until the test
// ends, handing each to deliver (which must not block).
func answerEach(t *testing.T, ua *sip.UA, deliver func(*sip.Call, *mediaWatch)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-ua.Events():
				in, ok := ev.(sip.IncomingCall)
				if !ok {
					continue
				}
				audio, _, watch := watchedFileAudio(t, "")
				if err := in.Call.Answer(ctx, audio); err != nil {
					t.Errorf("answer: %v", err)
				}
				deliver(in.Call, watch)
			}
		}
	}()
}

func TestSippRemoteHoldAndResume(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_hold.xml")
	c := <-calls
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
	if end := waitDone(t, c, 5*time.Second); end.By != sip.EndedByRemote || end.Err != nil {
		t.Fatalf("end = %+v, want a normal BYE from sipp", end)
	}
}

func TestSippInfoDTMFIsReceived(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_info_dtmf.xml")
	c := <-calls
	ev := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.DTMFReceived); return ok })
	if d := ev.(sip.DTMFReceived).Digit; d != '5' {
		t.Fatalf("digit %q, want 5", d)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippReferTransfersUsToTheTarget(t *testing.T) {
	t.Parallel()
	carol := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true})
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_refer.xml", "-key", "refer_to", carol.URI())
	c := <-calls
	ev := waitCallEvent(t, c, 15*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Transferred); return ok })
	next := ev.(sip.Transferred).To
	carol.Expect(t, testenv.EventCallEstablished)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); !end.Transferred {
		t.Fatalf("old call end = %+v, want transferred", end)
	}
	if err := next.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("hanging up the transferred call: %v", err)
	}
	carol.Expect(t, testenv.EventCallClosed)
}

// sippAnswers starts a UAS scenario and returns the URI to call it at.
func sippAnswers(t *testing.T, scenario string, args ...string) (*testenv.SippRun, string) {
	t.Helper()
	s := testenv.Sipp(t, scenario, args...)
	return s, "sip:sipp@" + s.Addr()
}

func TestCallSippAnswersThenWeHangUp(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_answer.xml")
	ua := newUA(t, sip.Config{})
	audio, _, watch := watchedFileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered: %v", err)
	}
	if c.Codec() != "PCMU" {
		t.Fatalf("codec %q, want PCMU (all sipp offers)", c.Codec())
	}
	// A call that carried audio, not one hung up in the same breath.
	watch.until(t, mediaLimit, "15 RTP packets sent", func() bool { return c.Stats().PacketsSent >= 15 })
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestCallSippHoldsUs(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_hold.xml")
	c := dialAnswered(t, newUA(t, sip.Config{}), uri)
	ev := waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if !ev.(sip.HoldChanged).Remote {
		t.Fatalf("hold event %+v, want remote hold", ev)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitDone(t, c, 5*time.Second)
}

func TestCallSippEarlyMediaThenAnswer(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_early_media.xml")
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	waitCallEvent(t, c, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.EarlyMedia); return ok })
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	_ = c.Hangup(ctxFor(t, 5*time.Second))
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestCallBusyIsTypedError(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_busy.xml")
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	err = c.WaitAnswered(ctxFor(t, 10*time.Second))
	if !sip.IsStatus(err, 486) {
		t.Fatalf("err = %v, want 486", err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestCallAnswersDigestChallenge(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_401.xml", "-key", "auth_user", "agent7", "-key", "auth_password", "pa55")
	ua := newUA(t, sip.Config{User: "agent7", Password: "pa55"})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered after the challenge: %v", err)
	}
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestCallSippRefersUs(t *testing.T) {
	t.Parallel()
	carol := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true})
	s, uri := sippAnswers(t, "uas_refer.xml", "-key", "refer_to", carol.URI())
	c := dialAnswered(t, newUA(t, sip.Config{}), uri)
	ev := waitCallEvent(t, c, 15*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Transferred); return ok })
	carol.Expect(t, testenv.EventCallEstablished)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	_ = ev.(sip.Transferred).To.Hangup(ctxFor(t, 5*time.Second))
}

func TestSippLateOfferAndOfferlessRefresh(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_late_offer.xml")
	c := <-calls
	if c.Codec() != "PCMU" {
		t.Fatalf("codec from the ACK's answer = %q, want PCMU", c.Codec())
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); end.Err != nil || end.By != sip.EndedByRemote {
		t.Fatalf("end %+v", end)
	}
}

func TestBusyAgentRefusesSecondCall(t *testing.T) {
	t.Parallel()
	agent := newUA(t, sip.Config{MaxCalls: 1})
	caller := newUA(t, sip.Config{})
	target := "sip:agent@" + agent.SIPAddr().String()
	audio, _ := fileAudio(t, "")
	first, err := caller.Dial(ctxFor(t, 5*time.Second), target, audio)
	if err != nil {
		t.Fatal(err)
	}
	ringing := nextIncoming(t, agent, 5*time.Second)
	second, err := caller.Dial(ctxFor(t, 5*time.Second), target, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := second.WaitAnswered(ctxFor(t, 5*time.Second)); !sip.IsStatus(err, 486) {
		t.Fatalf("second call: %v, want 486 Busy Here", err)
	}
	if err := first.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitDone(t, ringing, 5*time.Second)
}

// dialAnswered calls uri with silence and waits for the answer.
func dialAnswered(t *testing.T, ua *sip.UA, uri string) *sip.Call {
	t.Helper()
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("not answered: %v", err)
	}
	return c
}

// TestSippReferToBusyTargetKeepsTheCall: the transfer target is busy, so
// we report the failure by NOTIFY and the call carries on with its audio.
func TestSippReferToBusyTargetKeepsTheCall(t *testing.T) {
	t.Parallel()
	busy, busyURI := sippAnswers(t, "uas_busy.xml")
	ua := newUA(t, sip.Config{})
	calls := answerAllWatched(t, ua)
	s := sippCalls(t, ua, "uac_refer.xml", "-key", "refer_to", busyURI)
	answered := <-calls
	c := answered.Call
	ev := waitCallEvent(t, c, 15*time.Second, func(e sip.CallEvent) bool {
		p, ok := e.(sip.TransferProgress)
		return ok && p.Code >= 300
	})
	if p := ev.(sip.TransferProgress); p.Code != 486 {
		t.Fatalf("transfer progress %+v, want 486 from the busy target", p)
	}
	if err := busy.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	sent := c.Stats().PacketsSent
	answered.media.until(t, mediaLimit, "RTP after the failed transfer (the call lost its audio)", func() bool {
		return c.Stats().PacketsSent >= sent+15
	})
	if err := s.WaitTimeout(sippWait); err != nil { // sipp hangs up in the end
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); end.Transferred || end.By != sip.EndedByRemote {
		t.Fatalf("end %+v, want a normal hang-up by sipp, not a transfer", end)
	}
}
