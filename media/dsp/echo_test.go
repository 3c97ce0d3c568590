package dsp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// customerSpeech is the far end: about 9 s of a caller.
func customerSpeech(t testing.TB) []float64 {
	t.Helper()
	return load(t, testenv.EspeakVoice(t, "en+f3", "Hello, I am calling about my order. It was supposed to arrive yesterday "+
		"but nothing came. Can you tell me where it is and when it will be delivered?"))
}

// room is an echo path: delay, then the direct sound and 24 reflections
// decaying over 60 ms, scaled so the echo's power is gainDB under the far
// end's.
type room struct {
	delay  time.Duration
	gainDB float64
}

func (r room) String() string { return fmt.Sprintf("echo %v late at %g dB", r.delay, r.gainDB) }

func (r room) apply(far []float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	type tap struct {
		at int
		g  float64
	}
	taps := []tap{{0, 1}}
	e := 1.0
	for range 24 {
		at := 1 + rng.IntN(SampleRate*60/1000)
		g := 0.5 * rng.NormFloat64() * math.Exp(-float64(at)/float64(SampleRate*20/1000))
		taps = append(taps, tap{at, g})
		e += g * g
	}
	scale := math.Pow(10, r.gainDB/20) / math.Sqrt(e)
	d := int(r.delay.Seconds() * SampleRate)
	out := make([]float64, len(far))
	for _, tp := range taps {
		for i := 0; i+d+tp.at < len(out); i++ {
			out[i+d+tp.at] += scale * tp.g * far[i]
		}
	}
	return out
}

// callAudio runs a call's audio through a Processor as the devices would:
// far end written to Playback in frames, mic frames read through Capture,
// with the writes bunched by a seeded jitter of up to two frames.
func callAudio(t testing.TB, cfg Config, far, mic []int16, seed uint64) ([]int16, Stats) {
	t.Helper()
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return feed(t, p, far, mic, seed)
}

// feed is callAudio through p.
func feed(t testing.TB, p *Processor, far, mic []int16, seed uint64) ([]int16, Stats) {
	t.Helper()
	var written []int16
	sink := p.Playback(sinkFunc(func(f []int16) error { written = append(written, f...); return nil }))
	src := p.Capture(&frameSource{x: mic})
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]int16, 0, len(mic))
	frame := make([]int16, FrameSamples)
	farAt := 0
	for k := 0; ; k++ {
		// Playback runs ahead of capture by 0-2 frames, never behind.
		want := min(k+1+rng.IntN(3), len(far)/FrameSamples)
		for farAt < want {
			if err := sink.Write(far[farAt*FrameSamples : (farAt+1)*FrameSamples]); err != nil {
				t.Fatal(err)
			}
			farAt++
		}
		if src.Read(frame) != nil {
			break
		}
		out = append(out, frame...)
	}
	if len(written) != farAt*FrameSamples {
		t.Fatalf("playback passed on %d samples, want %d", len(written), farAt*FrameSamples)
	}
	return align(out, p.Latency()), p.Stats()
}

type sinkFunc func([]int16) error

func (f sinkFunc) Write(frame []int16) error { return f(frame) }

func powerDB(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return 10 * math.Log10(s/float64(len(x))/(32768*32768)+1e-20)
}
