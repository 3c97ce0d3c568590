package sip_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/sip"
)

// Messages over 1300 bytes go out over UDP (sipgo refused them): the
// answer to an INVITE that crossed many proxies copies all their Vias,
// and our own INVITE grows with long headers.

func TestLongInviteOverUDPIsAnswered(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	calls := answerAll(t, r.ua)
	var hops []string
	for i := range 30 {
		hops = append(hops, fmt.Sprintf("Via: SIP/2.0/UDP proxy%d.example.com:5060;branch=z9hG4bK-hop-%d", i, i))
	}
	callID := r.send(inviteWith(strings.Join(hops, "\n"), "application/sdp", sdpOffer))
	res, raw := r.final(callID)
	wantStatus(t, res, 200)
	if len(raw) <= 1300 || len(res.GetHeaders("Via")) != 31 {
		t.Fatalf("the 200 is %d bytes with %d Vias, want over 1300 with all 31", len(raw), len(res.GetHeaders("Via")))
	}
	r.dialogFrom(res).ack(1, "")
	select {
	case c := <-calls:
		if end := c.End(); c.AnsweredAt().IsZero() {
			t.Fatalf("call not answered: %+v", end)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the ACK did not complete the answer")
	}
}

func TestLongOutgoingInviteOverUDP(t *testing.T) {
	t.Parallel()
	s, uri := sippAnswers(t, "uas_answer.xml")
	ua := newUA(t, sip.Config{DisplayName: strings.Repeat("Agent ", 40)})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), uri, audio, sip.WithHeader("X-Campaign", strings.Repeat("c", 900)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("a long INVITE was not answered: %v", err)
	}
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}
