package precheck

import (
	"fmt"
	"sync"

	"github.com/homeshore/homeshore/media/analysis"
)

// fakeAudio is an in-memory room for judgement tests: what is played on the
// output reaches the monitor as is, and the microphone at echoGain after
// echoDelay samples, on top of what mic generates. Reads are paced by the
// output: frame k of a capture waits until the output has played frame k
// (or has finished the expected probe), so the result does not depend on
// goroutine timing.
type fakeAudio struct {
	mic       func(i int) float32 // microphone sound at sample i of each capture (nil: silence)
	speech    func(i int) float32 // the agent reading, for captures after the first two
	echoGain  float32
	echoDelay int
	probeLen  int // samples the check plays; after that the output plays silence
	noMonitor bool

	mu       sync.Mutex
	cond     *sync.Cond
	played   []float32
	captures int
}

func newFakeAudio(probeMS int) *fakeAudio {
	f := &fakeAudio{probeLen: probeMS * analysis.SampleRate / 1000, echoDelay: 4800}
	f.cond = sync.NewCond(&f.mu)
	return f
}

var errNoFakeMonitor = fmt.Errorf("%w: fake", ErrNoMonitor)

func (f *fakeAudio) OpenPlayback(string) (Sink, error) { return fakeSink{f}, nil }
func (f *fakeAudio) Close() error                      { return nil }

func (f *fakeAudio) OpenCapture(string) (Source, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.captures++
	gen := f.mic
	if f.captures > 2 && f.speech != nil { // leak, room, then the speech step
		gen = f.speech
	}
	return &fakeSource{f: f, gen: gen, gain: f.echoGain, delay: f.echoDelay}, nil
}

func (f *fakeAudio) MonitorOf(string) (Source, error) {
	if f.noMonitor {
		return nil, errNoFakeMonitor
	}
	return &fakeSource{f: f, gain: 1}, nil
}

type fakeSink struct{ f *fakeAudio }

func (s fakeSink) Write(frame []int16) error {
	s.f.mu.Lock()
	s.f.played = append(s.f.played, analysis.Int16ToFloat(frame)...)
	s.f.cond.Broadcast()
	s.f.mu.Unlock()
	return nil
}
func (s fakeSink) Close() error { return nil }

type fakeSource struct {
	f     *fakeAudio
	gen   func(int) float32
	gain  float32
	delay int
	pos   int
}

func (s *fakeSource) Read(frame []int16) error {
	f := s.f
	f.mu.Lock()
	for len(f.played) < s.pos+len(frame) && len(f.played) < f.probeLen {
		f.cond.Wait()
	}
	x := make([]float32, len(frame))
	for i := range x {
		n := s.pos + i
		if s.gen != nil {
			x[i] = s.gen(n)
		}
		if k := n - s.delay; s.gain != 0 && k >= 0 && k < len(f.played) {
			x[i] += s.gain * f.played[k]
		}
	}
	f.mu.Unlock()
	copy(frame, analysis.FloatToInt16(x))
	s.pos += len(frame)
	return nil
}
func (s *fakeSource) Close() error { return nil }

// noiseAt is seeded white noise at levelDBFS, as a sample generator.
func noiseAt(levelDBFS float64, seed uint64) func(int) float32 {
	x := analysis.Probe(12000, levelDBFS, seed)
	return func(i int) float32 { return x[i%len(x)] }
}
