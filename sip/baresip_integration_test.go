package sip_test

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

const (
	customerLine = "Hello, I am calling about my order number four two seven. It has not arrived yet."
	agentLine    = "Thank you for calling. My name is Claire and I will look into your order right away."
)

// TestCallBaresipBothWays: we call baresip, each side sends speech, both
// recordings match; DTMF arrives; hold and resume keep audio flowing.
func TestCallBaresipBothWays(t *testing.T) {
	for _, codec := range []string{"opus", "pcmu"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			customer := testenv.Espeak(t, customerLine)
			speech := testenv.Espeak(t, agentLine)
			// A tone after the speech proves audio still flows after resume.
			agent := testenv.Concat(t, speech, testenv.Tone(t, 440, 15*time.Second))
			recordDir := t.TempDir()
			b := testenv.StartBaresip(t, testenv.BaresipOptions{
				AutoAnswer: true, Codecs: []string{codec}, PlayWAV: customer, PlayLoop: true, RecordDir: recordDir,
			})
			ua := newUA(t, sip.Config{Codecs: codecList(t, codec)})
			audio, received, watch := watchedFileAudio(t, agent)
			c, err := ua.Dial(ctxFor(t, 10*time.Second), b.URI(), audio)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
				t.Fatalf("baresip did not answer: %v", err)
			}
			if !strings.EqualFold(c.Codec(), codec) {
				t.Fatalf("negotiated %s, want %s", c.Codec(), codec)
			}
			b.Expect(t, testenv.EventCallEstablished)
			bothSentences(t, c, watch, speech, customer) // uninterrupted by DTMF
			if err := c.SendDTMF(ctxFor(t, 5*time.Second), "123#"); err != nil {
				t.Fatalf("DTMF: %v", err)
			}
			for range 4 { // every key heard before the hold
				b.Expect(t, testenv.EventDTMFEnd)
			}
			if err := c.Hold(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("hold: %v", err)
			}
			if err := c.Resume(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("resume: %v", err)
			}
			// Three seconds of tone after the resume: baresip's last
			// recording must end with it.
			sentBeforeResume := c.Stats().PacketsSent
			watch.until(t, mediaLimit, "3 s of audio sent after resume", func() bool {
				return c.Stats().PacketsSent >= sentBeforeResume+150
			})
			if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("hangup: %v", err)
			}
			b.Expect(t, testenv.EventCallClosed)
			if got := b.ReceivedDTMF(); got != "123#" {
				t.Errorf("baresip received DTMF %q, want 123#", got)
			}
			flush(t, audio)
			assertSpeech(t, customer, received)
			first, last := baresipRecordings(t, recordDir)
			assertSpeech(t, speech, first)
			assertTailNotSilent(t, last, 2*time.Second)
		})
	}
}

// bothSentences waits until the call has sent all of ours (speech, the
// start of what it plays) and received at least one whole sentence of the
// customer's (baresip loops it from the answer): then both recordings hold
// a complete sentence.
func bothSentences(t *testing.T, c *sip.Call, watch *mediaWatch, speech, customer string) {
	t.Helper()
	ours, theirs := frames(t, speech), frames(t, customer)
	watch.until(t, mediaLimit, "both sentences sent and received", func() bool {
		// Ours all read (a file that ends is read no more), then sent with
		// a few frames of margin, as theirs: jitter buffers hold some.
		st := c.Stats()
		return watch.framesRead() >= ours && int64(st.PacketsSent) >= ours+10 && int64(st.PacketsReceived) >= theirs+10
	})
}

// baresipRecordings returns the first and last of baresip's recordings of
// received audio: its sndfile module starts a new file when a re-INVITE
// restarts the stream.
func baresipRecordings(t *testing.T, dir string) (first, last string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "dump-*-dec.wav"))
	if err != nil || len(files) == 0 {
		t.Fatalf("baresip recorded nothing in %s", dir)
	}
	sort.Strings(files)
	return files[0], files[len(files)-1]
}

// assertTailNotSilent proves audio flowed in the last part of a recording.
func assertTailNotSilent(t *testing.T, wav string, tail time.Duration) {
	t.Helper()
	a, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	n := int(tail.Seconds() * float64(a.Rate))
	if len(a.Samples) < n {
		t.Fatalf("recording %s is shorter than %s", wav, tail)
	}
	var energy float64
	for _, s := range a.Samples[len(a.Samples)-n:] {
		energy += float64(s) * float64(s)
	}
	if energy == 0 {
		t.Fatalf("the last %s of %s are digital silence: audio stopped after resume", tail, wav)
	}
}

// TestBaresipCallsUsThroughKamailio: both register with digest auth;
// baresip calls us by name, we answer, audio both ways, DTMF, and
// baresip's hold/resume.
func TestBaresipCallsUsThroughKamailio(t *testing.T) {
	for _, codec := range []string{"opus", "pcmu"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw"})
			customer := testenv.Espeak(t, customerLine)
			speech := testenv.Espeak(t, agentLine)
			agent := testenv.Concat(t, speech, testenv.Tone(t, 440, 15*time.Second))
			recordDir := t.TempDir()
			ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "agent", Password: "agentpw", Codecs: codecList(t, codec)})
			if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatal(err)
			}
			b := testenv.StartBaresip(t, testenv.BaresipOptions{
				AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{codec}, PlayWAV: customer, PlayLoop: true, RecordDir: recordDir,
			})
			if err := b.Command("/dial " + k.AOR("agent")); err != nil {
				t.Fatal(err)
			}
			c := nextIncoming(t, ua, 10*time.Second)
			audio, received, watch := watchedFileAudio(t, agent)
			if err := c.Answer(ctxFor(t, 10*time.Second), audio); err != nil {
				t.Fatalf("answer: %v", err)
			}
			b.Expect(t, testenv.EventCallEstablished)
			bothSentences(t, c, watch, speech, customer) // uninterrupted by DTMF
			if err := b.Command("/sndcode 42"); err != nil {
				t.Fatal(err)
			}
			watch.until(t, mediaLimit, "DTMF 42 received", func() bool { return c.DTMFReceived() == "42" })
			if err := b.Command("/hold"); err != nil {
				t.Fatal(err)
			}
			waitCallEvent(t, c, 5*time.Second, func(e sip.CallEvent) bool { h, ok := e.(sip.HoldChanged); return ok && h.Remote })
			if err := b.Command("/resume"); err != nil {
				t.Fatal(err)
			}
			waitCallEvent(t, c, 5*time.Second, func(e sip.CallEvent) bool { h, ok := e.(sip.HoldChanged); return ok && !h.Remote })
			// Three seconds of the customer after the resume: our
			// recording must end with them.
			receivedBeforeResume := c.Stats().PacketsReceived
			watch.until(t, mediaLimit, "3 s of audio received after resume", func() bool {
				return c.Stats().PacketsReceived >= receivedBeforeResume+150
			})
			if err := b.Command("/hangup"); err != nil {
				t.Fatal(err)
			}
			if end := waitDone(t, c, 5*time.Second); end.By != sip.EndedByRemote || end.Err != nil {
				t.Fatalf("end %+v, want a normal hang-up by the customer", end)
			}
			if got := c.DTMFReceived(); got != "42" {
				t.Errorf("DTMF received %q, want 42", got)
			}
			flush(t, audio)
			assertSpeech(t, customer, received)
			first, _ := baresipRecordings(t, recordDir)
			assertSpeech(t, speech, first)
			assertTailNotSilent(t, received, 2*time.Second)
		})
	}
}

// TestTwoAgentsCallThroughKamailio: two Homeshore user agents register
// and call each other by name; the INVITE is challenged (407) and answered.
func TestTwoAgentsCallThroughKamailio(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "apw", "bob": "bpw"})
	line := testenv.Espeak(t, customerLine)
	alice := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "apw"})
	bob := newUA(t, sip.Config{Registrar: k.Addr(), User: "bob", Password: "bpw"})
	for _, ua := range []*sip.UA{alice, bob} {
		if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	aliceAudio, _ := fileAudio(t, line)
	c, err := alice.Dial(ctxFor(t, 10*time.Second), "bob", aliceAudio)
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, bob, 10*time.Second)
	bobAudio, bobHeard, bobMedia := watchedFileAudio(t, "")
	if err := in.Answer(ctxFor(t, 10*time.Second), bobAudio); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.SourceDone():
	case <-time.After(mediaLimit):
		t.Fatal("the played file never ended")
	}
	// The sentence's last packets reach bob before alice hangs up.
	sent := c.Stats().PacketsSent
	bobMedia.until(t, mediaLimit, "bob received what alice sent", func() bool { return in.Stats().PacketsReceived >= sent })
	if err := c.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, in, 5*time.Second); end.By != sip.EndedByRemote {
		t.Fatalf("bob's end %+v, want hung up by alice", end)
	}
	flush(t, bobAudio)
	assertSpeech(t, line, bobHeard)
}
