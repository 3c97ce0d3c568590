package testenv

import (
	"github.com/homeshore/homeshore/internal/audiocmp"
	"strings"
	"testing"
	"time"
)

func waitEvent(t *testing.T, b *Baresip, typ string) Event {
	t.Helper()
	return b.Expect(t, typ)
}

func command(t *testing.T, b *Baresip, cmd string) {
	t.Helper()
	if err := b.Command(cmd); err != nil {
		t.Fatal(err)
	}
}

// TestBaresipDirectCallCarriesAudio calls one baresip from another without
// a registrar, per codec, and checks that the callee's sndfile recording of
// decoded received audio carries the caller's speech.
func TestBaresipDirectCallCarriesAudio(t *testing.T) {
	t.Parallel()
	for _, codec := range []string{"opus", "pcmu"} {
		t.Run(codec, func(t *testing.T) {
			t.Parallel()
			speech := Espeak(t, "Thank you for calling Homeshore support, how can I help you today?")
			callee := StartBaresip(t, BaresipOptions{AutoAnswer: true, RecordDir: t.TempDir(), Codecs: []string{codec}})
			// aufile hangs up when its file ends: the call lasts PlayDuration.
			caller := StartBaresip(t, BaresipOptions{PlayWAV: speech, PlayDuration: 6 * time.Second, Codecs: []string{codec}})
			command(t, caller, "/dial "+callee.URI())
			established := waitEvent(t, callee, EventCallEstablished)
			if established.PeerURI != caller.AOR {
				t.Errorf("callee sees peer %q; want %q", established.PeerURI, caller.AOR)
			}
			waitEvent(t, caller, EventCallEstablished)
			waitEvent(t, caller, EventCallClosed)
			waitEvent(t, callee, EventCallClosed)
			rec := callee.RecordedWAV()
			if !strings.HasSuffix(rec, "-dec.wav") {
				t.Fatalf("callee recording = %q; want dump-*-dec.wav in the record dir", rec)
			}
			r, err := audiocmp.Compare(speech, rec)
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() {
				t.Errorf("received audio over %s does not match the speech sent: %s", codec, r)
			}
			t.Logf("%s: %s", codec, r)
		})
	}
}

// TestBaresipHoldResumeAndDTMF checks the in-call commands the lead's tests
// drive: /hold and /resume send re-INVITEs the peer sees as new offers,
// /sndcode sends RFC 4733 digits the peer reports as CALL_DTMF_START events.
func TestBaresipHoldResumeAndDTMF(t *testing.T) {
	t.Parallel()
	callee := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	caller := StartBaresip(t, BaresipOptions{})
	command(t, caller, "/dial "+callee.URI())
	waitEvent(t, callee, EventCallEstablished)
	waitEvent(t, caller, EventCallEstablished)
	waitEvent(t, callee, EventCallRemoteSDP) // the initial offer

	command(t, caller, "/hold")
	waitEvent(t, callee, EventCallRemoteSDP)
	command(t, caller, "/resume")
	waitEvent(t, callee, EventCallRemoteSDP)

	command(t, caller, "/sndcode 123#")
	for range 4 {
		waitEvent(t, callee, EventDTMFEnd)
	}
	if got := callee.ReceivedDTMF(); got != "123#" {
		t.Errorf("callee received DTMF %q; want %q", got, "123#")
	}
	command(t, caller, "/hangup")
	waitEvent(t, callee, EventCallClosed)
}

func TestBaresipManualAnswer(t *testing.T) {
	t.Parallel()
	callee := StartBaresip(t, BaresipOptions{})
	caller := StartBaresip(t, BaresipOptions{})
	command(t, caller, "/dial "+callee.URI())
	in := waitEvent(t, callee, EventCallIncoming)
	if in.PeerURI != caller.AOR {
		t.Errorf("incoming call from %q; want %q", in.PeerURI, caller.AOR)
	}
	waitEvent(t, caller, EventCallRinging)
	command(t, callee, "/accept")
	waitEvent(t, callee, EventCallEstablished)
	waitEvent(t, caller, EventCallEstablished)
	command(t, callee, "/hangup")
	closed := waitEvent(t, caller, EventCallClosed)
	t.Logf("caller saw the hangup as %q", closed.Param)
}
