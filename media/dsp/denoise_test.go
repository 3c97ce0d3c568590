//go:build cgo

package dsp

import (
	"math"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// converge is left out of the measures: the denoiser learns the noise in
// its first second.
const converge = 1500 * time.Millisecond

// Steady fan noise is what speexdsp's denoiser is for: between words it
// must drop by at least 15 dB (measured 20-22 dB) while the speech keeps its
// level and its match to the clean speech gets better, not worse.
func TestNoiseSuppressionRemovesFanNoise(t *testing.T) {
	t.Parallel()
	speech := agentSpeech(t)
	noise := load(t, testenv.FanNoise(t, duration(speech)))
	for _, snr := range []float64{5, 10, 20} {
		in := toInt16(mix(t, speech, noise, snr))
		m := measureCleanup(t, speech, in, process(t, Config{NoiseSuppression: true}, in), converge)
		t.Logf("fan at SNR %g dB: %s", snr, m)
		if m.pauseDrop < 15 {
			t.Errorf("fan at SNR %g dB: noise between words dropped %.1f dB, want >= 15", snr, m.pauseDrop)
		}
		if math.Abs(m.speechLevelDiff) > 2.5 {
			t.Errorf("fan at SNR %g dB: speech level changed %+.1f dB, want within 2.5", snr, m.speechLevelDiff)
		}
		if m.score < m.scoreIn || m.score < 0.8 {
			t.Errorf("fan at SNR %g dB: envelope match %.3f (noisy input %.3f), want >= both 0.8 and the input's", snr, m.score, m.scoreIn)
		}
		if m.lsd > m.lsdIn {
			t.Errorf("fan at SNR %g dB: spectral distance %.2f dB, worse than the noisy input's %.2f", snr, m.lsd, m.lsdIn)
		}
	}
}

// A TV in the next room and keyboard clicks are not steady: the denoiser
// leaves most of them (measured 1-3 dB less between words); what it must do
// is leave the speech alone and never make the background louder. The
// quiet-room check is what keeps TVs out of the agent's room.
func TestNoiseSuppressionKeepsSpeechOverTVAndKeyboard(t *testing.T) {
	t.Parallel()
	speech := agentSpeech(t)
	d := duration(speech)
	for _, tc := range []struct {
		name  string
		noise string
	}{
		{"tv", testenv.TVNoise(t, d)},
		{"keyboard", testenv.KeyboardNoise(t, d, 1)},
	} {
		noise := load(t, tc.noise)
		for _, snr := range []float64{5, 10, 20} {
			in := toInt16(mix(t, speech, noise, snr))
			m := measureCleanup(t, speech, in, process(t, Config{NoiseSuppression: true}, in), converge)
			t.Logf("%s at SNR %g dB: %s", tc.name, snr, m)
			if m.pauseDrop < 0 {
				t.Errorf("%s at SNR %g dB: background between words got %.1f dB louder", tc.name, snr, -m.pauseDrop)
			}
			if math.Abs(m.speechLevelDiff) > 1.5 {
				t.Errorf("%s at SNR %g dB: speech level changed %+.1f dB, want within 1.5", tc.name, snr, m.speechLevelDiff)
			}
			if m.score < m.scoreIn-0.03 {
				t.Errorf("%s at SNR %g dB: envelope match fell from %.3f to %.3f", tc.name, snr, m.scoreIn, m.score)
			}
			if m.lsd > m.lsdIn+2 {
				t.Errorf("%s at SNR %g dB: spectral distance %.2f dB, want at most 2 dB more than the input's %.2f", tc.name, snr, m.lsd, m.lsdIn)
			}
		}
	}
}

// The automatic gain brings quiet and loud microphones to about -24 dBFS of
// active speech within its 20 dB range, without clipping.
func TestAGCLevelsQuietAndLoudSpeech(t *testing.T) {
	t.Parallel()
	speech := agentSpeech(t)
	for _, level := range []float64{-42, -35, -25, -15, -8} {
		in := toInt16(scaleTo(speech, level))
		out := process(t, Config{AGC: true}, in)
		// The second half: after the gain settled (12 dB/s up, 40 down).
		got := 10 * math.Log10(activeLevel(toAudio(out[len(out)/2:]).Samples))
		clipped := 0
		for _, v := range out {
			if v == math.MaxInt16 || v == math.MinInt16 {
				clipped++
			}
		}
		t.Logf("speech at %g dBFS -> %.1f dBFS, %d clipped samples", level, got, clipped)
		if got < -28 || got > -20 {
			t.Errorf("speech at %g dBFS came out at %.1f dBFS, want -28..-20", level, got)
		}
		if clipped > 0 {
			t.Errorf("speech at %g dBFS: %d samples clipped", level, clipped)
		}
	}
}

// With everything off the stage hands the frames on untouched, at once.
func TestProcessingOffIsTransparent(t *testing.T) {
	speech := agentSpeech(t)
	in := toInt16(speech)
	p, err := New(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Latency() != 0 || p.String() != "DSP(off)" {
		t.Fatalf("off: latency %v, %s", p.Latency(), p)
	}
	out := process(t, Config{}, in)
	for i := range in {
		if in[i] != out[i] {
			t.Fatalf("sample %d changed: %d -> %d", i, in[i], out[i])
		}
	}
}

func duration(x []float64) time.Duration {
	return time.Duration(len(x)) * time.Second / SampleRate
}
