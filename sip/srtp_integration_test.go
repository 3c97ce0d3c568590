package sip_test

import (
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// TestSRTPWithBaresip: encrypted calls with baresip's srtp module, both
// ways: we require SRTP (RTP/SAVP) and call it; it calls us with best-effort
// SRTP (crypto lines on RTP/AVP). Speech matches each way, DTMF crosses,
// and no packet fails authentication.
func TestSRTPWithBaresip(t *testing.T) {
	t.Run("we call, mandatory", func(t *testing.T) {
		t.Parallel()
		customer := testenv.Espeak(t, customerLine)
		speech := testenv.Espeak(t, agentLine)
		recordDir := t.TempDir()
		b := testenv.StartBaresip(t, testenv.BaresipOptions{
			AutoAnswer: true, Codecs: []string{"opus"}, PlayWAV: customer, PlayLoop: true, RecordDir: recordDir,
			MediaEnc: "srtp-mand",
		})
		ua := newUA(t, sip.Config{Codecs: codecList(t, "opus"), SRTP: sip.SRTPMandatory})
		audio, received, watch := watchedFileAudio(t, speech)
		c, err := ua.Dial(ctxFor(t, 10*time.Second), b.URI(), audio)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
			t.Fatalf("baresip did not answer an RTP/SAVP offer: %v\n%s", err, b.Log())
		}
		b.Expect(t, testenv.EventCallEstablished)
		bothSentences(t, c, watch, speech, customer)
		if err := c.SendDTMF(ctxFor(t, 5*time.Second), "59"); err != nil {
			t.Fatal(err)
		}
		for range 2 { // both keys heard before the hold
			b.Expect(t, testenv.EventDTMFEnd)
		}
		// Hold and resume re-offer the crypto line in use.
		if err := c.Hold(ctxFor(t, 5*time.Second)); err != nil {
			t.Fatalf("hold over SRTP: %v", err)
		}
		if err := c.Resume(ctxFor(t, 5*time.Second)); err != nil {
			t.Fatalf("resume over SRTP: %v", err)
		}
		// Audio decrypts again after the resume: two seconds of it.
		before := c.Stats().PacketsReceived
		watch.until(t, mediaLimit, "SRTP received after resume", func() bool { return c.Stats().PacketsReceived >= before+100 })
		st := c.Stats()
		if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		b.Expect(t, testenv.EventCallClosed)
		assertEncrypted(t, st)
		if got := b.ReceivedDTMF(); got != "59" {
			t.Errorf("baresip received DTMF %q over SRTP, want 59", got)
		}
		assertSpeechBothWays(t, audio, customer, received, speech, recordDir)
	})
	t.Run("baresip calls, best effort", func(t *testing.T) {
		t.Parallel()
		customer := testenv.Espeak(t, customerLine)
		speech := testenv.Espeak(t, agentLine)
		recordDir := t.TempDir()
		ua := newUA(t, sip.Config{Codecs: codecList(t, "pcmu"), SRTP: sip.SRTPOptional})
		b := testenv.StartBaresip(t, testenv.BaresipOptions{
			Codecs: []string{"pcmu"}, PlayWAV: customer, PlayLoop: true, RecordDir: recordDir, MediaEnc: "srtp",
		})
		if err := b.Command("/dial sip:agent@" + ua.SIPAddr().String()); err != nil {
			t.Fatal(err)
		}
		c := nextIncoming(t, ua, 10*time.Second)
		audio, received, watch := watchedFileAudio(t, speech)
		if err := c.Answer(ctxFor(t, 10*time.Second), audio); err != nil {
			t.Fatalf("answer: %v", err)
		}
		b.Expect(t, testenv.EventCallEstablished)
		bothSentences(t, c, watch, speech, customer)
		if err := b.Command("/sndcode 7"); err != nil {
			t.Fatal(err)
		}
		watch.until(t, mediaLimit, "DTMF 7 received over SRTP", func() bool { return c.DTMFReceived() == "7" })
		st := c.Stats()
		if err := b.Command("/hangup"); err != nil {
			t.Fatal(err)
		}
		waitDone(t, c, 5*time.Second)
		assertEncrypted(t, st)
		if got := c.DTMFReceived(); got != "7" {
			t.Errorf("DTMF received %q over SRTP, want 7", got)
		}
		assertSpeechBothWays(t, audio, customer, received, speech, recordDir)
	})
}

// TestSRTPMandatoryRefusesPlainPeer: with SRTP mandatory, a peer without
// it is refused in both directions with a message that names SRTP.
func TestSRTPMandatoryRefusesPlainPeer(t *testing.T) {
	t.Parallel()
	b := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true, Codecs: []string{"pcmu"}})
	ua := newUA(t, sip.Config{Codecs: codecList(t, "pcmu"), SRTP: sip.SRTPMandatory})
	c, err := ua.Dial(ctxFor(t, 10*time.Second), b.URI(), sip.Audio{})
	if err != nil {
		t.Fatal(err)
	}
	err = c.WaitAnswered(ctxFor(t, 10*time.Second))
	if err == nil || !strings.Contains(err.Error(), "SRTP") {
		t.Fatalf("a plain-RTP peer answered our mandatory SRTP offer: %v", err)
	}

	refused := make(chan error, 1)
	go func() {
		for ev := range ua.Events() {
			if r, ok := ev.(sip.CallRefused); ok {
				refused <- r.Err
				return
			}
		}
	}()
	if err := b.Command("/dial sip:agent@" + ua.SIPAddr().String()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-refused:
		if !sip.IsStatus(err, 488) || !strings.Contains(err.Error(), "plain RTP") {
			t.Fatalf("refusal %v, want 488 saying the offer is plain RTP", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a plain-RTP call was not refused")
	}
	b.Expect(t, testenv.EventCallClosed)
}

// assertEncrypted: the call ran on SRTP and its packets authenticated.
// baresip opens its RTCP path with one plain 16-byte RTCP APP packet
// ("PINGPONG") before keys are in use; that one is rightly rejected.
func assertEncrypted(t *testing.T, st media.Stats) {
	t.Helper()
	if st.SRTP == "" || st.SRTPRejected > 1 || st.PacketsReceived < 200 {
		t.Fatalf("call stats %+v: want SRTP with every packet but baresip's plain RTCP ping authenticated", st)
	}
}

// assertSpeechBothWays: what baresip sent (customer) is in our recording
// (received), and what we sent (speech) is in baresip's first recording.
func assertSpeechBothWays(t *testing.T, audio sip.Audio, customer, received, speech, recordDir string) {
	t.Helper()
	flush(t, audio)
	assertSpeech(t, customer, received)
	first, _ := baresipRecordings(t, recordDir)
	assertSpeech(t, speech, first)
}
