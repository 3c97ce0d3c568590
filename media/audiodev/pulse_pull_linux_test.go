//go:build linux

package audiodev

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/media"
)

// toneSource is a pulled source: a 1 kHz tone once on, silence before; it
// counts its reads and remembers the first read of the tone.
type toneSource struct {
	mu    sync.Mutex
	on    bool
	n     int
	reads int
	first time.Time
}

func (g *toneSource) Read(f []int16) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reads++
	if !g.on {
		clear(f)
		return nil
	}
	if g.first.IsZero() {
		g.first = time.Now()
	}
	for i := range f {
		f[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(g.n)/media.SampleRate))
		g.n++
	}
	return nil
}

func (g *toneSource) start() {
	g.mu.Lock()
	g.on = true
	g.mu.Unlock()
}

func (g *toneSource) readCount() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reads
}

// A pulling Pulse sink reads its source when the server asks: the tone
// comes back from the monitor, sooner than through a written (pushed)
// stream's buffers; Play(nil) stops the reads and writing works again;
// after Close, Play fails.
func TestPulsePlaybackPulls(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_pull")
	play, err := OpenPlayback(dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	capt, err := OpenCapture(dev.Sink + ".monitor")
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	pl, ok := play.(media.Player)
	if !ok {
		t.Fatalf("%T does not pull", play)
	}
	src := &toneSource{}
	if err := pl.Play(src); err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, media.FrameSamples)
	var got []int16
	var heard time.Duration
	for i := range 150 { // 3 s: 1 s of silence, then the tone
		if i == 50 {
			src.start()
		}
		if err := capt.Read(frame); err != nil {
			t.Fatal(err)
		}
		if i < 50 {
			continue
		}
		if heard == 0 {
			if k := onset(frame, 8000); k >= 0 {
				src.mu.Lock()
				heard = time.Since(src.first) - time.Duration(media.FrameSamples-k)*time.Second/media.SampleRate
				src.mu.Unlock()
			}
		}
		if heard != 0 {
			got = append(got, frame...)
		}
	}
	lat := play.(media.LatencyReporter).Latency()
	t.Logf("tone heard %v after it was read; the sink reports %v of latency", heard, lat)
	if heard <= 0 || heard > 200*time.Millisecond {
		t.Fatalf("the pulled tone came back after %v", heard)
	}
	if len(got) < media.SampleRate/2 || toneShare(got, media.SampleRate, 1000) < 0.8 {
		t.Fatalf("the tone did not come back: %d samples, 1 kHz share %.2f", len(got), toneShare(got, media.SampleRate, 1000))
	}
	if lat <= 0 || lat > pullBufferCeil+50*time.Millisecond {
		t.Fatalf("reported latency %v while pulling", lat)
	}

	if err := pl.Play(nil); err != nil {
		t.Fatal(err)
	}
	reads := src.readCount()
	got = playAndCapture(t, play, capt, 50)
	if n := src.readCount(); n != reads {
		t.Fatalf("the source was read %d times after Play(nil)", n-reads)
	}
	if rms(got[len(got)/2:]) < 3000 {
		t.Fatalf("writing after Play(nil): rms %.0f", rms(got[len(got)/2:]))
	}
	if err := play.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pl.Play(src); !errors.Is(err, ErrDeviceClosed) {
		t.Fatalf("Play after Close: %v, want ErrDeviceClosed", err)
	}
}
