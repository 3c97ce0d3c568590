package sip_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// mediaWatch is a call's audio as the test sees it: every frame the call
// reads from its source (to send) or writes to its sink (playout, every
// 20 ms) wakes the test to check what it waits for, so a test waits on the
// media itself (packets sent or received, a file played out) instead of
// guessing how long that takes on a loaded machine.
type mediaWatch struct {
	src  media.Source
	sink media.Sink
	read atomic.Int64  // frames read from the source
	tick chan struct{} // one pending wake-up at most
}

// watchAudio wraps a's source and sink (either may be nil).
func watchAudio(a sip.Audio) (sip.Audio, *mediaWatch) {
	w := &mediaWatch{src: a.Source, sink: a.Sink, tick: make(chan struct{}, 1)}
	out := sip.Audio{}
	if a.Source != nil {
		out.Source = watchedSource{w}
	}
	if a.Sink != nil {
		out.Sink = watchedSink{w}
	}
	return out, w
}

type watchedSource struct{ w *mediaWatch }

func (s watchedSource) Read(frame []int16) error {
	err := s.w.src.Read(frame)
	s.w.read.Add(1)
	s.w.poke()
	return err
}

type watchedSink struct{ w *mediaWatch }

func (s watchedSink) Write(frame []int16) error {
	err := s.w.sink.Write(frame)
	s.w.poke()
	return err
}

// Close closes the sink it wraps (flush finalises recordings through it).
func (s watchedSink) Close() error {
	if c, ok := s.w.sink.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

func (w *mediaWatch) poke() {
	select {
	case w.tick <- struct{}{}:
	default:
	}
}

// framesRead is how many 20 ms frames the call has taken from its source.
func (w *mediaWatch) framesRead() int64 { return w.read.Load() }

// until waits for cond, checking it at every frame of the call's audio,
// and fails the test with what when it does not hold within the limit
// (a bound for a stuck call, not a measure of speed).
func (w *mediaWatch) until(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(within)
	for !cond() {
		select {
		case <-w.tick:
		case <-deadline:
			t.Fatalf("%s: not within %s", what, within)
		}
	}
}

// watchedFileAudio is fileAudio with a watch on the call's audio.
func watchedFileAudio(t *testing.T, wav string) (sip.Audio, string, *mediaWatch) {
	t.Helper()
	a, received := fileAudio(t, wav)
	a, w := watchAudio(a)
	return a, received, w
}

// frames is how many 20 ms frames wav lasts, rounded up.
func frames(t *testing.T, wav string) int64 {
	t.Helper()
	a, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	return int64((len(a.Samples)*50 + a.Rate - 1) / a.Rate)
}

// mediaLimit bounds every media wait: generous, so a loaded machine only
// makes a passing test slower.
const mediaLimit = 60 * time.Second
