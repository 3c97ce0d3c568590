package dsp

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/media"
)

// Frame format at the stage boundary, and the library's block inside.
const (
	SampleRate   = media.SampleRate
	FrameSamples = media.FrameSamples
	blockSamples = SampleRate / 100 // 10 ms
	blocksFrame  = FrameSamples / blockSamples
)

// Tuning, measured in docs/audio.md.
const (
	// highpassHz removes rumble and hum below the voice.
	highpassHz = 100
	// noiseSuppressDB is the most the denoiser attenuates noise.
	noiseSuppressDB = -30
	// agcLevel is speexdsp's loudness target: it brings active speech to
	// about -24 dBFS (measured from -42 to -8 dBFS in), the nominal level
	// of telephone speech (-19 dBm0 is about -22 dBFS).
	agcLevel = 16000
	// agcMaxGainDB bounds the boost of a quiet microphone.
	agcMaxGainDB = 20
	// agcIncrementDBs and agcDecrementDBs bound how fast the gain moves
	// (dB per second): slow up, so pauses are not pumped, fast down.
	agcIncrementDBs = 12
	agcDecrementDBs = -40
	// echoTailMs is the echo the canceller's filter models after the far
	// end is aligned: room reverberation plus a headset's own path.
	echoTailMs      = 120
	echoTailSamples = SampleRate * echoTailMs / 1000
	// estTargetLag is where the aligner places the echo in the filter
	// (blocks); it moves the far end only when the echo falls outside
	// [estLowLag, estHighLag], where the filter cannot model it: moving
	// resets the canceller.
	estTargetLag = 4
	estLowLag    = 1
	estHighLag   = echoTailMs/10 - 5
	// estSlackCancelling widens that range while the canceller cancels:
	// estimates spread by a block or two (reflections blur the envelope),
	// and a move costs a converged canceller its convergence.
	estSlackCancelling = 1
)

// Config says which processing runs; the zero value runs none.
type Config struct {
	NoiseSuppression bool // denoiser, with a 100 Hz high-pass in front
	AGC              bool // automatic gain
	EchoCancel       bool // acoustic echo canceller, needs Playback
}

// All turns everything on: the product default.
func All() Config { return Config{NoiseSuppression: true, AGC: true, EchoCancel: true} }

// Any reports whether anything runs.
func (c Config) Any() bool { return c.NoiseSuppression || c.AGC || c.EchoCancel }

// String names what runs, e.g. "ns+agc+aec" or "off".
func (c Config) String() string {
	var parts []string
	if c.NoiseSuppression {
		parts = append(parts, "ns")
	}
	if c.AGC {
		parts = append(parts, "agc")
	}
	if c.EchoCancel {
		parts = append(parts, "aec")
	}
	if len(parts) == 0 {
		return "off"
	}
	return strings.Join(parts, "+")
}

// engine is the DSP library, one 10 ms block at a time.
type engine interface {
	// cancel writes to out the microphone with the echo of the aligned far
	// end (ref) it estimates subtracted; only with echo cancellation.
	cancel(mic, ref, out []int16)
	// preprocess denoises and levels x in place, and removes the
	// canceller's residual echo while linked.
	preprocess(x []int16)
	// linkEcho turns the residual echo removal on or off.
	linkEcho(on bool)
	resetEcho()
	close()
}

// Stats are a Processor's figures so far.
type Stats struct {
	Frames uint64 // captured frames processed
	// FarEndFrames counts frames that had far end to cancel.
	FarEndFrames uint64
	// EchoDelayMs is the echo path delay found (far end written to
	// playback until its echo is captured), -1 before one was found.
	EchoDelayMs int
	// Realigns counts moves of the far end to follow the echo delay;
	// RealignsUndone those moved back because nothing was cancelled there.
	Realigns, RealignsUndone int
	// CancelledFrames counts frames sent with the echo canceller's output:
	// the others went out as the microphone gave them (no echo shown).
	CancelledFrames uint64
	// Resyncs counts far-end resyncs after playback stalls, under-runs or
	// drift; LateFrames the frames whose far end was not all played yet.
	Resyncs, LateFrames int
}

// Processor cleans one call's outgoing audio. Capture and Playback give the
// stages; Close releases the library (after the Session stopped using
// them: later reads fail with ErrClosed).
type Processor struct {
	cfg Config
	log *slog.Logger
	ref *refRing // nil without echo cancellation

	mu       sync.Mutex // guards all below: Close against a Read in flight
	eng      engine
	hp       highpass
	est      *delayEstimator
	bulk     int // far-end delay beyond refMargin, samples
	gate     echoGate
	trial    *realignTrial // a move of the far end on probation
	refused  []int         // far-end delays tried that cancelled nothing
	refFrame [FrameSamples]int16
	out      [blockSamples]int16
	// cancelled counts blocks sent with the canceller's output.
	cancelled uint64
	stats     Stats
	closed    bool
}

// New builds a Processor; log may be nil. Built without cgo it returns
// ErrUnavailable (use errors.Is): send the raw microphone then.
func New(cfg Config, log *slog.Logger) (*Processor, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Processor{cfg: cfg, log: log, hp: newHighpass(highpassHz, SampleRate)}
	p.stats.EchoDelayMs = -1
	if !cfg.Any() {
		return p, nil
	}
	eng, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	p.eng = eng
	if cfg.EchoCancel {
		p.ref = newRefRing()
		p.est = newDelayEstimator()
	}
	return p, nil
}

// Config is what this Processor runs.
func (p *Processor) Config() Config { return p.cfg }

// Capture wraps the microphone (or a file): each frame read is cleaned.
// The result is real time when src is.
func (p *Processor) Capture(src media.Source) media.Source {
	return &capture{p: p, src: src}
}

// Playback wraps the headset: each frame written is kept as the far end
// for the echo canceller, then written to sink. Without echo cancellation
// it returns sink itself.
func (p *Processor) Playback(sink media.Sink) media.Sink {
	if p.ref == nil {
		return sink
	}
	return &playback{ref: p.ref, sink: sink}
}

// Latency is how much later the cleaned audio comes out than it went in:
// one block of the preprocessor's overlap-add, none when nothing runs.
func (p *Processor) Latency() time.Duration {
	if p.eng == nil {
		return 0
	}
	return blockSamples * time.Second / SampleRate
}

// Stats returns the figures so far.
func (p *Processor) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.statsLocked()
}

// Close releases the library; it is idempotent.
func (p *Processor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed && p.eng != nil {
		p.eng.close()
		st := p.statsLocked()
		p.log.Info("audio processing done", "processing", p.cfg.String(), "frames", st.Frames, "far_end_frames", st.FarEndFrames,
			"cancelled_frames", st.CancelledFrames, "echo_delay_ms", st.EchoDelayMs, "realigns", st.Realigns,
			"realigns_undone", st.RealignsUndone, "resyncs", st.Resyncs, "late_frames", st.LateFrames)
	}
	p.closed = true
	return nil
}

func (p *Processor) statsLocked() Stats {
	s := p.stats
	s.CancelledFrames = p.cancelled / blocksFrame
	if p.ref != nil {
		s.Resyncs, s.LateFrames = p.ref.counts()
	}
	return s
}

func (p *Processor) String() string {
	if !p.cfg.Any() {
		return "DSP(off)"
	}
	return fmt.Sprintf("DSP(%s, speexdsp %dk/%d ms)", p.cfg, SampleRate/1000, blockSamples*1000/SampleRate)
}

// process cleans one captured frame in place.
func (p *Processor) process(frame []int16) error {
	if len(frame) != FrameSamples {
		return fmt.Errorf("%w: %d samples", ErrFrameSize, len(frame))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	if p.eng == nil {
		return nil
	}
	p.stats.Frames++
	if p.cfg.NoiseSuppression {
		p.hp.run(frame)
	}
	var ref []int16
	if p.ref != nil {
		if p.ref.take(p.refFrame[:]) {
			p.stats.FarEndFrames++
		}
		ref = p.refFrame[:]
	}
	for b := range blocksFrame {
		mic := frame[b*blockSamples : (b+1)*blockSamples]
		var r []int16
		if ref != nil {
			r = ref[b*blockSamples : (b+1)*blockSamples]
			if lag, agreed, ok := p.est.add(r, mic); ok {
				p.follow(lag, agreed)
			}
		}
		if r != nil {
			p.cancel(mic, r)
		}
		p.eng.preprocess(mic)
	}
	return nil
}

type capture struct {
	p   *Processor
	src media.Source
}

func (c *capture) Read(frame []int16) error {
	if err := c.src.Read(frame); err != nil {
		return err
	}
	return c.p.process(frame)
}

func (c *capture) RealTime() bool {
	rt, ok := c.src.(media.RealTime)
	return ok && rt.RealTime()
}

func (c *capture) String() string { return describe(c.src) + " -> " + c.p.String() }

type playback struct {
	ref  *refRing
	sink media.Sink
}

func (w *playback) Write(frame []int16) error {
	w.ref.write(frame)
	return w.sink.Write(frame)
}

func (w *playback) RealTime() bool {
	rt, ok := w.sink.(media.RealTime)
	return ok && rt.RealTime()
}

func (w *playback) String() string { return "EchoRef -> " + describe(w.sink) }

func describe(v any) string {
	if s, ok := v.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", v)
}
