package media

import (
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var errEOF = io.EOF

var loopback = netip.MustParseAddr("127.0.0.1")

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

func newTestSession(t *testing.T) *Session {
	t.Helper()
	s, err := NewSession(loopback, SessionOptions{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if s.LocalAddr().Port()%2 != 0 {
		t.Fatalf("RTP port %d is odd", s.LocalAddr().Port())
	}
	return s
}

func waitOrFail(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}

// TestSessionAudioRoundTrip: A plays a 1 s WAV, B records; the recording's
// envelope must follow the source's (correlation > 0.8).
func TestSessionAudioRoundTrip(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"opus", "pcmu", "pcma"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			codec, _ := LookupCodec(name)
			requireOrSkip(t, CodecAvailable(codec), name+" codec (cgo build with libopus)")
			dir := t.TempDir()
			signal := speechLike(SampleRate, SampleRate)
			wavPath := filepath.Join(dir, "in.wav")
			writeTestWAV(t, wavPath, SampleRate, 1, signal)
			src, err := OpenWAVSource(wavPath)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()

			a, b := newTestSession(t), newTestSession(t)
			te := DefaultTelephoneEvent()
			sink := newMemSink(len(signal) + SampleRate/2)
			if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, DTMF: &te}, nil, sink); err != nil {
				t.Fatal(err)
			}
			if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, DTMF: &te}, src, nil); err != nil {
				t.Fatal(err)
			}
			waitOrFail(t, a.SourceDone(), 10*time.Second, "source to finish")
			waitOrFail(t, sink.full, 10*time.Second, "recording")
			got := sink.snapshot()
			if r := rms(got); r < 500 {
				t.Fatalf("recording is silent (rms %.0f)", r)
			}
			c := segmentedCorrelation(envelope(signal, SampleRate), envelope(got, SampleRate), 4, 100)
			t.Logf("%s: envelope correlation %.3f (4 segments); stats %+v", name, c, b.Stats())
			if c < 0.8 {
				t.Fatalf("envelope correlation %.3f < 0.8", c)
			}
			if st := b.Stats(); st.PacketsReceived < 45 || st.PacketsLost != 0 {
				t.Fatalf("receiver stats %+v", st)
			}
			if st := a.Stats(); st.PacketsSent < 50 {
				t.Fatalf("sender stats %+v", st)
			}
		})
	}
}

// TestSessionDTMF sends digits both ways is covered one way here: A sends,
// B's DTMF channel yields each digit once, in order.
func TestSessionDTMF(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	te := DefaultTelephoneEvent()
	a, b := newTestSession(t), newTestSession(t)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, DTMF: &te}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, DTMF: &te}, nil, nil); err != nil {
		t.Fatal(err)
	}
	const digits = "123*#A0"
	if err := a.SendDTMF(digits); err != nil {
		t.Fatal(err)
	}
	var got []rune
	timeout := time.After(10 * time.Second)
	for len(got) < len(digits) {
		select {
		case r := <-b.DTMF():
			got = append(got, r)
		case <-timeout:
			t.Fatalf("got %q, want %q", string(got), digits)
		}
	}
	if string(got) != digits {
		t.Fatalf("got %q, want %q", string(got), digits)
	}
	if err := a.SendDTMF("x"); err == nil {
		t.Fatal("bad digit accepted")
	}
}

func TestSessionNoDTMF(t *testing.T) {
	codec, _ := LookupCodec("pcmu")
	a := newTestSession(t)
	if err := a.Start(SessionParams{Remote: netip.AddrPortFrom(loopback, 9), Codec: codec}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.SendDTMF("1"); err != ErrNoDTMF {
		t.Fatalf("got %v, want ErrNoDTMF", err)
	}
}

// Opus with telephone-event/48000: durations count 48 kHz ticks.
func TestSessionDTMFWithOpus(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("opus")
	requireOrSkip(t, CodecAvailable(codec), "opus codec (cgo build with libopus)")
	te := TelephoneEventFor(codec.ClockRate)
	if te.ClockRate != 48000 || te.PayloadType != 110 {
		t.Fatalf("telephone-event for opus: %+v", te)
	}
	a, b := newTestSession(t), newTestSession(t)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, DTMF: &te}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, DTMF: &te}, &memSource{samples: tone(5*SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.SendDTMF("9#"); err != nil {
		t.Fatal(err)
	}
	for _, want := range "9#" {
		select {
		case got := <-b.DTMF():
			if got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("digit %q did not arrive", want)
		}
	}
}
