package audiocmp

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

const (
	sentence      = "Thank you for calling Homeshore support, how can I help you today?"
	otherSentence = "The quick brown fox jumps over the lazy dog near the river bank."
)

// sox runs sox with args, writing out (a path in a temp dir).
func sox(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		t.Fatalf("sox %v: %v\n%s", args, err, out)
	}
}

// telephone passes wav through what a G.711 call does to it: band-limit,
// 8 kHz mu-law, back to 48 kHz, 6 dB quieter, 300 ms later.
func telephone(t *testing.T, wav string) string {
	t.Helper()
	dir := t.TempDir()
	ulaw := filepath.Join(dir, "ulaw.wav")
	out := filepath.Join(dir, "telephone.wav")
	sox(t, wav, "-r", "8000", "-e", "u-law", ulaw, "sinc", "300-3400", "gain", "-6")
	sox(t, ulaw, "-r", "48000", "-e", "signed-integer", "-b", "16", out, "pad", "0.3", "1")
	return out
}

func compare(t *testing.T, sent, received string) Result {
	t.Helper()
	r, err := Compare(sent, received)
	if err != nil {
		t.Fatalf("Compare: %v", err)
	}
	t.Logf("%s", r)
	return r
}

func TestSameSpeechThroughTelephoneBandPasses(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	r := compare(t, sent, telephone(t, sent))
	if !r.OK() {
		t.Errorf("same sentence through 8 kHz mu-law: %s; want OK", r)
	}
	if r.Lag < 280*time.Millisecond || r.Lag > 320*time.Millisecond {
		t.Errorf("lag %v; want about the 300 ms added", r.Lag)
	}
}

func TestSameSpeechWithNoisePasses(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	noisy := filepath.Join(t.TempDir(), "noisy.wav")
	noise := testenv.Noise(t, 6*time.Second, 1)
	// Speech peaks near 0 dBFS, noise at -20 dBFS minus 10 dB more: ~15-20 dB SNR.
	sox(t, "-m", sent, "-v", "0.3", noise, noisy, "trim", "0", "6")
	if r := compare(t, sent, noisy); !r.OK() {
		t.Errorf("same sentence with background noise: %s; want OK", r)
	}
}

func TestDifferentSpeechFails(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	other := telephone(t, testenv.Espeak(t, otherSentence))
	if r := compare(t, sent, other); r.OK() {
		t.Errorf("a different sentence: %s; want not OK", r)
	}
	otherVoice := testenv.EspeakVoice(t, "en+f3", otherSentence)
	if r := compare(t, sent, otherVoice); r.OK() {
		t.Errorf("a different sentence and voice: %s; want not OK", r)
	}
}

func TestWhiteNoiseFails(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	if r := compare(t, sent, testenv.Noise(t, 5*time.Second, 2)); r.OK() {
		t.Errorf("white noise: %s; want not OK", r)
	}
	if r := compare(t, sent, testenv.Tone(t, 440, 5*time.Second)); r.OK() {
		t.Errorf("a steady tone: %s; want not OK", r)
	}
}

func TestSilenceIsReported(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	silence := filepath.Join(t.TempDir(), "silence.wav")
	sox(t, "-n", "-r", "48000", "-c", "1", "-b", "16", silence, "trim", "0", "3")
	r, err := Compare(sent, silence)
	if !errors.Is(err, ErrSilence) || !r.Silent || r.OK() {
		t.Errorf("Compare(speech, silence) = %s, %v; want Silent and ErrSilence", r, err)
	}
}

func TestRejectsNonWAV(t *testing.T) {
	t.Parallel()
	if _, err := Parse([]byte("not a wav file at all")); !errors.Is(err, ErrFormat) {
		t.Errorf("Parse(garbage) error = %v; want ErrFormat", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\xbb\x00\x00\x00\x77\x01\x00\x02\x00\x10\x00data\x00\x00\x00\x00"))
	f.Add([]byte("RIFF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Parse(data)
		if err != nil {
			return
		}
		for _, v := range a.Samples {
			if v < -1.0001 || v > 1.0001 {
				t.Fatalf("sample %v out of range", v)
			}
		}
	})
}

// TestSegmentsSurviveAStretchedTimeline: a 300 ms underrun in the middle
// of the received speech shifts its second half; CompareSegments still
// finds every part, while a different sentence still fails.
func TestSegmentsSurviveAStretchedTimeline(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	dir := t.TempDir()
	first, second, stretched := dir+"/a.wav", dir+"/b.wav", dir+"/stretched.wav"
	sox(t, sent, first, "trim", "0", "1.5")
	sox(t, sent, second, "trim", "1.5")
	gap := testenv.Pad(t, second, 300*time.Millisecond, 0)
	sox(t, first, gap, stretched)
	r, err := CompareSegments(sent, telephone(t, stretched), 4)
	if err != nil || !r.OK() {
		t.Fatalf("stretched copy: %v, %v", r, err)
	}
	other := telephone(t, testenv.Espeak(t, otherSentence))
	if r, _ := CompareSegments(sent, other, 4); r.OK() {
		t.Fatalf("another sentence matched: %v", r)
	}
}

// TestMedianOfSegmentsIgnoresOneSpoiledPart: one part of the received
// speech replaced by noise pulls the mean of the parts down, not the
// median; another sentence fails both.
func TestMedianOfSegmentsIgnoresOneSpoiledPart(t *testing.T) {
	t.Parallel()
	sent, err := Load(testenv.Espeak(t, sentence))
	if err != nil {
		t.Fatal(err)
	}
	spoiled := Audio{Rate: sent.Rate, Samples: slices.Clone(sent.Samples)}
	n := len(spoiled.Samples) / 8
	noise, err := Load(testenv.Noise(t, time.Second, 3))
	if err != nil {
		t.Fatal(err)
	}
	copy(spoiled.Samples[3*n:4*n], noise.Samples)
	mean, err := CompareSegmentsAudio(sent, spoiled, 8)
	if err != nil {
		t.Fatal(err)
	}
	median, err := CompareSegmentsMedian(sent, spoiled, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("one part of eight spoiled: mean %.3f, median %.3f", mean.Score, median.Score)
	if median.Score < 0.95 || mean.Score >= median.Score {
		t.Errorf("one part of eight spoiled: mean %.3f, median %.3f; want the median >= 0.95 and above the mean", mean.Score, median.Score)
	}
	other, err := Load(testenv.Espeak(t, otherSentence))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := CompareSegmentsMedian(sent, other, 8); err == nil && r.OK() {
		t.Errorf("another sentence matched: %s", r)
	}
}
