package sip_test

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// TestRegistrationIsRefreshedBeforeExpiry: Kamailio grants the 6 s we ask
// for; the refresh goes out when the UA's clock reaches 80 % of it (never
// less than 5 s), with no wall-clock wait.
func TestRegistrationIsRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "pw"})
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "pw", Expires: 6 * time.Second, KeepAlive: -1, NetworkCheck: -1, Clock: clock})
	register(t, ua)
	<-clock.WaitArmed(1)
	clock.Advance(5 * time.Second)
	if reg := waitUAEvent[sip.Registered](t, ua, 5*time.Second); reg.Expires != 6*time.Second {
		t.Fatalf("refresh granted %s", reg.Expires)
	}
}

func TestRegisterThroughOutboundProxy(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "pw"})
	// The domain does not resolve: only the proxy knows where it is.
	ua := newUA(t, sip.Config{Registrar: k.Realm, User: "alice", Password: "pw", OutboundProxy: k.Addr()})
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("register via outbound proxy: %v", err)
	}
}

func TestCancelWhileBaresipRings(t *testing.T) {
	t.Parallel()
	b := testenv.StartBaresip(t, testenv.BaresipOptions{}) // rings, never answers
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 5*time.Second), b.URI(), audio)
	if err != nil {
		t.Fatal(err)
	}
	waitCallEvent(t, c, 5*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Ringing); return ok })
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	b.Expect(t, testenv.EventCallClosed)
	if end := c.End(); end.Answered || end.By != sip.EndedByLocal {
		t.Fatalf("end %+v", end)
	}
}

func TestBlindTransferWeSend(t *testing.T) {
	t.Parallel()
	carol := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true})
	customer := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true})
	ua := newUA(t, sip.Config{})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 5*time.Second), customer.URI(), audio)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := c.Transfer(ctxFor(t, 20*time.Second), carol.URI()); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	carol.Expect(t, testenv.EventCallEstablished)
	if end := waitDone(t, c, 5*time.Second); !end.Transferred {
		t.Fatalf("our call end %+v, want transferred", end)
	}
}

// TestCallsOverTCPAndTLSThroughKamailio: over TLS the media is SRTP too
// (mandatory on both sides), as IT is told to set it up.
func TestCallsOverTCPAndTLSThroughKamailio(t *testing.T) {
	for _, transport := range []string{sip.TransportTCP, sip.TransportTLS} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			k := testenv.StartKamailio(t, map[string]string{"alice": "apw", "bob": "bpw"})
			addr, srtp := k.Addr(), sip.SRTPOff
			if transport == sip.TransportTLS {
				k.RequireTLS(t)
				addr, srtp = k.TLSAddr(), sip.SRTPMandatory
			}
			cfg := func(user, pw string) sip.Config {
				return sip.Config{Registrar: addr, User: user, Password: pw, Transport: transport, CAFile: k.CAFile, SRTP: srtp}
			}
			alice, bob := newUA(t, cfg("alice", "apw")), newUA(t, cfg("bob", "bpw"))
			for _, ua := range []*sip.UA{alice, bob} {
				if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			line := testenv.Espeak(t, "Calls work over "+transport+" too.")
			aliceAudio, _ := fileAudio(t, line)
			c, err := alice.Dial(ctxFor(t, 5*time.Second), "bob", aliceAudio)
			if err != nil {
				t.Fatal(err)
			}
			in := nextIncoming(t, bob, 10*time.Second)
			bobAudio, heard := fileAudio(t, "")
			if err := in.Answer(ctxFor(t, 10*time.Second), bobAudio); err != nil {
				t.Fatal(err)
			}
			if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
				t.Fatal(err)
			}
			<-c.SourceDone()
			if err := in.Hangup(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("BYE from the callee over %s: %v", transport, err)
			}
			if end := waitDone(t, c, 5*time.Second); end.By != sip.EndedByRemote {
				t.Fatalf("caller end %+v", end)
			}
			// The callee's figures for the whole call, now that it is over.
			if st := in.Stats(); (st.SRTP != "") != (srtp == sip.SRTPMandatory) || st.SRTPRejected != 0 || st.PacketsReceived == 0 {
				t.Fatalf("over %s: callee's media %+v, SRTP mode %s", transport, st, srtp)
			}
			flush(t, bobAudio)
			assertSpeech(t, line, heard)
		})
	}
}
