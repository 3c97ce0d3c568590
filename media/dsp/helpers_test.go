package dsp

import (
	"fmt"
	"io"
	"math"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
)

// agentSpeech is about 11 s of an agent's greeting with pauses between
// sentences, 48 kHz.
func agentSpeech(t testing.TB) []float64 {
	t.Helper()
	wav := testenv.Pad(t, testenv.Espeak(t, "Thank you for calling customer support, my name is Anna. "+
		"How can I help you today? Let me check your account. One moment please. "+
		"I can see the parcel left our warehouse this morning."), 500*time.Millisecond, 500*time.Millisecond)
	return load(t, wav)
}

func load(t testing.TB, wav string) []float64 {
	t.Helper()
	a, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != SampleRate {
		t.Fatalf("%s: %d Hz, want %d", wav, a.Rate, SampleRate)
	}
	return a.Samples
}

// activeLevel is the active speech level, linear (full scale 1).
func activeLevel(x []float64) float64 {
	return math.Pow(10, audiocmp.ActiveLevelDBFS(floats(x))/10)
}

// mix adds noise (looped) to speech at snrDB, speech's active level over
// the noise's mean power.
func mix(t testing.TB, speech, noise []float64, snrDB float64) []float64 {
	t.Helper()
	m, err := audiocmp.Mix(floats(speech), floats(noise), snrDB)
	if err != nil {
		t.Fatal(err)
	}
	return m.Samples
}

// scaleTo returns x scaled so its active level is dbfs.
func scaleTo(x []float64, dbfs float64) []float64 {
	g := math.Sqrt(math.Pow(10, dbfs/10) / activeLevel(x))
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * g
	}
	return out
}

func toInt16(x []float64) []int16 {
	out := make([]int16, len(x)/FrameSamples*FrameSamples)
	for i := range out {
		out[i] = clamp16(x[i] * 32768)
	}
	return out
}

func toAudio(x []int16) audiocmp.Audio {
	a := audiocmp.Audio{Rate: SampleRate, Samples: make([]float64, len(x))}
	for i, v := range x {
		a.Samples[i] = float64(v) / 32768
	}
	return a
}

func floats(x []float64) audiocmp.Audio { return audiocmp.Audio{Rate: SampleRate, Samples: x} }

// frameSource serves samples as frames, then io.EOF.
type frameSource struct{ x []int16 }

func (s *frameSource) Read(frame []int16) error {
	if len(s.x) < len(frame) {
		return io.EOF
	}
	copy(frame, s.x)
	s.x = s.x[len(frame):]
	return nil
}

// process runs x through a Processor with cfg (no far end) and returns the
// output, the Processor's latency removed so it lines up with x.
func process(t testing.TB, cfg Config, x []int16) []int16 {
	t.Helper()
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	src := p.Capture(&frameSource{x: x})
	out := make([]int16, 0, len(x))
	frame := make([]int16, FrameSamples)
	for src.Read(frame) == nil {
		out = append(out, frame...)
	}
	return align(out, p.Latency())
}

// align drops the first lat of out and pads the end, so out lines up with
// its input.
func align(out []int16, lat time.Duration) []int16 {
	n := int(lat.Seconds() * SampleRate)
	return append(out[n:], make([]int16, n)...)
}

// cleanup measures how processed relates to clean speech, against the noisy
// input: levels in pauses and speech, envelope match and spectral distance.
type cleanup struct {
	in, out         audiocmp.Levels
	scoreIn, score  float64 // envelope correlation with the clean speech
	lsdIn, lsd      float64 // log-spectral distance from the clean speech, dB
	pauseDrop       float64 // dB less noise between words
	speechLevelDiff float64 // dB change of the speech frames
}

// measureCleanup scores in and out (both on clean's timeline) from skip on.
func measureCleanup(t testing.TB, clean []float64, in, out []int16, skip time.Duration) cleanup {
	t.Helper()
	c := floats(clean)
	var m cleanup
	var err error
	if m.in, err = audiocmp.MeasureLevels(c, toAudio(in), nil, skip); err != nil {
		t.Fatal(err)
	}
	if m.out, err = audiocmp.MeasureLevels(c, toAudio(out), nil, skip); err != nil {
		t.Fatal(err)
	}
	if m.lsdIn, err = audiocmp.SpectralDistance(c, toAudio(in), nil, skip); err != nil {
		t.Fatal(err)
	}
	if m.lsd, err = audiocmp.SpectralDistance(c, toAudio(out), nil, skip); err != nil {
		t.Fatal(err)
	}
	r, err := audiocmp.CompareAudio(c, toAudio(in))
	if err != nil {
		t.Fatal(err)
	}
	m.scoreIn = r.Score
	if r, err = audiocmp.CompareAudio(c, toAudio(out)); err != nil {
		t.Fatal(err)
	}
	m.score = r.Score
	m.pauseDrop = m.in.PauseDBFS - m.out.PauseDBFS
	m.speechLevelDiff = m.out.SpeechDBFS - m.in.SpeechDBFS
	return m
}

func (m cleanup) String() string {
	return fmt.Sprintf("noise between words %.1f -> %.1f dBFS (-%.1f dB), speech %+.1f dB, SNR %.1f -> %.1f dB, envelope %.3f -> %.3f, spectral distance %.2f -> %.2f dB",
		m.in.PauseDBFS, m.out.PauseDBFS, m.pauseDrop, m.speechLevelDiff, m.in.SNR(), m.out.SNR(), m.scoreIn, m.score, m.lsdIn, m.lsd)
}
