package sip_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// Our 2xx and its ACK, as a caller on a lossy network and a quick PBX
// exercise them (RFC 3261 §13.3.1.4, §14, RFC 6026).

// answered is one call answered by answerEachAsync and what Answer said.
type answered struct {
	call *sip.Call
	err  error
}

// answerEachAsync answers every incoming call at once, each on its own
// goroutine, and reports Answer's result.
func answerEachAsync(t *testing.T, ua *sip.UA) <-chan answered {
	t.Helper()
	out := make(chan answered, 16)
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
				if in, ok := ev.(sip.IncomingCall); ok {
					go func() {
						err := in.Call.Answer(ctx, sip.Audio{Source: media.Silence()})
						out <- answered{in.Call, err}
					}()
				}
			}
		}
	}()
	return out
}

func nextAnswered(t *testing.T, ch <-chan answered, within time.Duration) answered {
	t.Helper()
	select {
	case a := <-ch:
		return a
	case <-time.After(within):
		t.Fatalf("Answer did not return within %s", within)
		return answered{}
	}
}

// readAny returns the next message from the UA and when it came.
func (r *rawUAS) readAny(within time.Duration) (sipgo.Message, time.Time, bool) {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 65535)
	n, _, err := r.conn.ReadFrom(buf)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, time.Time{}, false
		}
		r.t.Fatal(err)
	}
	msg, err := sipgo.ParseMessage(buf[:n])
	if err != nil {
		r.t.Fatalf("the UA sent an unparsable message: %v\n%s", err, buf[:n])
	}
	return msg, time.Now(), true
}

// answeredCall sends an INVITE and returns the dialog of the UA's 200
// (not acknowledged yet) and when it came.
func (r *rawUAS) answeredCall() (*rawDialog, time.Time) {
	r.t.Helper()
	callID := r.send(inviteWith("", "application/sdp", sdpOffer))
	res, _ := r.final(callID)
	wantStatus(r.t, res, 200)
	return r.dialogFrom(res), time.Now()
}

// TestAckThenByeAtOnce: a caller that hangs up as soon as it has the
// answer sends ACK and BYE back to back. sipgo handles each on its own
// goroutine, so the BYE could be taken first and the answer reported as
// never confirmed. The call must be answered, then ended by the caller.
func TestAckThenByeAtOnce(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	for range 8 {
		d, _ := r.answeredCall()
		d.ack(1, "")
		wantStatus(t, d.exchange("BYE", ""), 200)
		a := nextAnswered(t, results, 5*time.Second)
		if a.err != nil {
			t.Fatalf("Answer: %v", a.err)
		}
		if end := waitDone(t, a.call, 5*time.Second); !end.Answered || end.By != sip.EndedByRemote || end.Err != nil {
			t.Fatalf("end %+v, want answered and hung up by the caller", end)
		}
	}
}

// TestByeOvertakingAck: the BYE reaches us before the ACK (reordered on
// the way): the caller had our 200, so the call was answered.
func TestByeOvertakingAck(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	d, _ := r.answeredCall()
	d.send("BYE", 2, "", "")
	d.ack(1, "")
	res, _ := r.final(d.callID)
	wantStatus(t, res, 200)
	a := nextAnswered(t, results, 5*time.Second)
	if a.err != nil {
		t.Fatalf("Answer: %v", a.err)
	}
	if end := waitDone(t, a.call, 5*time.Second); !end.Answered || end.By != sip.EndedByRemote || end.Err != nil {
		t.Fatalf("end %+v, want answered and hung up by the caller", end)
	}
}

// TestAckThenReinviteAtOnce: a PBX that re-INVITEs as soon as the call is
// up (Asterisk moving media) sends ACK and re-INVITE back to back; taken
// in the other order, sipgo's dialog refused the ACK (its CSeq was no
// longer the last) and the call died after 32 s without an ACK.
func TestAckThenReinviteAtOnce(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	for range 5 {
		d, _ := r.answeredCall()
		d.ack(1, "")
		res := d.exchange("INVITE", "Content-Type: application/sdp\n\n"+strings.Replace(sdpOffer, "o=- 1 1", "o=- 1 2", 1))
		wantStatus(t, res, 200)
		d.ack(2, "")
		a := nextAnswered(t, results, 5*time.Second)
		if a.err != nil {
			t.Fatalf("Answer: %v", a.err)
		}
		wantStatus(t, d.exchange("BYE", ""), 200)
	}
}

// TestAckReusingInviteBranch: an ACK for our 200 that carries the
// INVITE's branch (RFC 2543 peers, sipp's automatic ACK) matches the
// INVITE's transaction in sipgo and never reached our ACK handler: the
// answer waited 32 s and failed.
func TestAckReusingInviteBranch(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	callID := r.send(strings.Replace(inviteWith("", "application/sdp", sdpOffer), "branch=BRANCH", "branch=z9hG4bK-shared-branch", 1))
	res, _ := r.final(callID)
	wantStatus(t, res, 200)
	d := r.dialogFrom(res)
	d.ack(1, "z9hG4bK-shared-branch")
	a := nextAnswered(t, results, 3*time.Second)
	if a.err != nil {
		t.Fatalf("Answer: %v", a.err)
	}
	wantStatus(t, d.exchange("BYE", ""), 200)
}

// Test2xxRetransmittedOnTheRFCSchedule: without an ACK our 200 goes again
// at T1, 2T1, 4T1 (0.5, 1.5, 3.5 s) before settling at T2 intervals;
// sipgo alone waited 4 s after the first copy.
func Test2xxRetransmittedOnTheRFCSchedule(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	d, first := r.answeredCall()
	copies := 1
	for {
		msg, at, ok := r.readAny(4200*time.Millisecond - time.Since(first))
		if !ok {
			break
		}
		if res, isRes := msg.(*sipgo.Response); isRes && res.StatusCode == 200 && at.Sub(first) < 4200*time.Millisecond {
			copies++
		}
	}
	if copies < 4 {
		t.Fatalf("%d copies of the 200 in the first 4 s without ACK, want 4 (0, 0.5, 1.5, 3.5 s)", copies)
	}
	d.ack(1, "")
	if a := nextAnswered(t, results, 3*time.Second); a.err != nil {
		t.Fatalf("Answer: %v", a.err)
	}
	wantStatus(t, d.exchange("BYE", ""), 200)
}

// TestReinvite2xxRetransmittedUntilAck: our 200 to a re-INVITE was sent
// once; lost, the PBX's re-INVITE times out and it drops the call.
func TestReinvite2xxRetransmittedUntilAck(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	d, _ := r.answeredCall()
	d.ack(1, "")
	nextAnswered(t, results, 3*time.Second)
	hold := "Content-Type: application/sdp\n\n" + strings.Replace(strings.Replace(sdpOffer, "o=- 1 1", "o=- 1 2", 1), "a=rtpmap:0 PCMU/8000\n", "a=rtpmap:0 PCMU/8000\na=sendonly\n", 1)
	wantStatus(t, d.exchange("INVITE", hold), 200)
	msg, _, ok := r.readAny(2 * time.Second)
	res, isRes := msg.(*sipgo.Response)
	if !ok || !isRes || res.StatusCode != 200 || res.CSeq().SeqNo != 2 {
		t.Fatalf("no retransmission of the 200 to the re-INVITE without its ACK (got %v)", msg)
	}
	d.ack(2, "")
	wantStatus(t, d.exchange("BYE", ""), 200)
}

// TestLateAckOfTheInviteKeepsTheReofferAnswer: a late copy of the first
// INVITE's ACK arriving while we wait for the answer to the offer we made
// in our 200 to an offerless re-INVITE must not be taken for that answer.
func TestLateAckOfTheInviteKeepsTheReofferAnswer(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	results := answerEachAsync(t, r.ua)
	d, _ := r.answeredCall()
	d.ack(1, "")
	c := nextAnswered(t, results, 3*time.Second).call
	wantStatus(t, d.exchange("INVITE", ""), 200) // offerless: our offer in the 200
	d.ack(1, "")                                 // a late copy of the first ACK
	// Taken before the answer's ACK goes (each request has its goroutine).
	wantStatus(t, r.exchange(optionsWith("")), 200)
	hold := strings.Replace(sdpOffer, "a=rtpmap:0 PCMU/8000\n", "a=rtpmap:0 PCMU/8000\na=sendonly\n", 1)
	d.send("ACK", 2, "", "Content-Type: application/sdp\n\n"+hold)
	held := waitCallEvent(t, c, 5*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.HoldChanged); return ok })
	if !held.(sip.HoldChanged).Remote {
		t.Fatalf("hold event %+v, want the remote hold the ACK's answer says", held)
	}
	wantStatus(t, d.exchange("BYE", ""), 200)
}
