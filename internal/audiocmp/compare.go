package audiocmp

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Comparison parameters. Threshold was chosen from the unit tests and the
// baresip calls in internal/testenv: espeak speech through 8 kHz mu-law with
// band-limiting, delay and gain scores about 0.94, with background noise at
// ~15 dB SNR about 0.9, through real Opus and PCMU calls above 0.9; another
// sentence (same or other voice) scores 0.3-0.55, white noise and a steady
// tone below 0.2.
const (
	// Threshold is the Score at or above which received carries sent.
	Threshold = 0.7
	// FrameDuration is the envelope resolution.
	FrameDuration = 10 * time.Millisecond
	// MaxLag is how far received may be shifted against sent, either way
	// (network, jitter buffer, recorder start).
	MaxLag = 2 * time.Second
	// SilenceDBFS is the frame level below which a frame counts as silent.
	SilenceDBFS = -50.0
	// minSoundFrames frames above SilenceDBFS make a file not silent.
	minSoundFrames = 10
	// floorDBFS clips the log envelope so that silence, dither and codec
	// noise floors all look the same.
	floorDBFS = -60.0
	// minOverlap is the share of sent's frames a lag must overlap.
	minOverlap = 0.5
)

// Result of comparing a sent and a received recording.
type Result struct {
	// Score is the best normalised cross-correlation (Pearson) of the two
	// 10 ms log-energy envelopes over lags within ±MaxLag, clamped to 0..1.
	Score float64
	// Lag is how much later the sound appears in received than in sent.
	Lag time.Duration
	// SentDBFS and ReceivedDBFS are the RMS levels of the whole files.
	SentDBFS, ReceivedDBFS float64
	// Silent is true when received holds (almost) no sound.
	Silent bool
}

// OK reports whether received carries sent: not silent and Score at least
// Threshold.
func (r Result) OK() bool { return !r.Silent && r.Score >= Threshold }

func (r Result) String() string {
	return fmt.Sprintf("score %.3f (threshold %.2f) lag %v sent %.1f dBFS received %.1f dBFS silent=%t",
		r.Score, Threshold, r.Lag, r.SentDBFS, r.ReceivedDBFS, r.Silent)
}

// Compare loads two WAV files and compares them, see CompareAudio.
func Compare(sentWAV, receivedWAV string) (Result, error) {
	sent, err := Load(sentWAV)
	if err != nil {
		return Result{}, err
	}
	received, err := Load(receivedWAV)
	if err != nil {
		return Result{}, err
	}
	return CompareAudio(sent, received)
}

// CompareAudio compares sent with received. It returns ErrSilence (with
// Result.Silent set) when received, or sent, has no sound. The two may have
// different sample rates: envelopes are taken per 10 ms either way.
func CompareAudio(sent, received Audio) (Result, error) {
	maxLag := int(MaxLag / FrameDuration)
	return compareLags(sent, received, -maxLag, maxLag)
}

// compareLags is CompareAudio over lags minLag..maxLag (in frames).
func compareLags(sent, received Audio, minLag, maxLag int) (Result, error) {
	se, sentSound := envelope(sent)
	re, recvSound := envelope(received)
	r := Result{SentDBFS: rmsDBFS(sent.Samples), ReceivedDBFS: rmsDBFS(received.Samples)}
	if sentSound < minSoundFrames {
		return r, fmt.Errorf("sent: %w (%s)", ErrSilence, r)
	}
	if recvSound < minSoundFrames {
		r.Silent = true
		return r, fmt.Errorf("received: %w (%s)", ErrSilence, r)
	}
	need := int(math.Ceil(float64(len(se)) * minOverlap))
	best, bestLag, found := -1.0, 0, false
	for lag := minLag; lag <= maxLag; lag++ {
		// Pairs (se[i], re[i+lag]) with both indices in range.
		lo := max(0, -lag)
		hi := min(len(se), len(re)-lag)
		if hi-lo < need || hi-lo < 2 {
			continue
		}
		c := pearson(se[lo:hi], re[lo+lag:hi+lag])
		if !found || c > best {
			best, bestLag, found = c, lag, true
		}
	}
	if !found {
		return r, fmt.Errorf("%w: received has %d frames, sent %d", ErrTooShort, len(re), len(se))
	}
	r.Score = min(max(best, 0), 1)
	r.Lag = time.Duration(bestLag) * FrameDuration
	return r, nil
}

// envelope returns the per-frame level in dBFS, clipped at floorDBFS, and
// how many frames are above SilenceDBFS.
func envelope(a Audio) ([]float64, int) {
	n := a.Rate * int(FrameDuration/time.Millisecond) / 1000
	if n < 1 {
		return nil, 0
	}
	frames := len(a.Samples) / n
	env := make([]float64, frames)
	sound := 0
	for f := range frames {
		level := rmsDBFS(a.Samples[f*n : (f+1)*n])
		if level > SilenceDBFS {
			sound++
		}
		env[f] = max(level, floorDBFS)
	}
	return env, sound
}

// rmsDBFS is the RMS level relative to a full-scale square wave; digital
// silence gives -inf.
func rmsDBFS(x []float64) float64 {
	if len(x) == 0 {
		return math.Inf(-1)
	}
	var sum float64
	for _, v := range x {
		sum += v * v
	}
	return 10 * math.Log10(sum/float64(len(x)))
}

// pearson is the normalised cross-correlation of two equal-length series;
// 0 when either is constant.
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// CompareSegments is Compare for paths that may stretch time, such as a
// sound device that under-runs or a receiver that conceals a frame: sent
// is cut into n parts, each part is found in received at its own lag, and
// Score is the mean over the parts that hold sound. Lag is the first
// part's.
func CompareSegments(sentWAV, receivedWAV string, n int) (Result, error) {
	sent, err := Load(sentWAV)
	if err != nil {
		return Result{}, err
	}
	received, err := Load(receivedWAV)
	if err != nil {
		return Result{}, err
	}
	return CompareSegmentsAudio(sent, received, n)
}

// CompareSegmentsAudio is CompareSegments on loaded audio.
func CompareSegmentsAudio(sent, received Audio, n int) (Result, error) {
	whole, scores, err := compareParts(sent, received, n)
	if err != nil {
		return whole, err
	}
	var sum float64
	for _, s := range scores {
		sum += s
	}
	whole.Score = sum / float64(len(scores))
	return whole, nil
}

// CompareSegmentsMedian is CompareSegmentsAudio with Score the median
// part's: a part spoiled by a glitch (a real-time sender or receiver that
// skipped a tick on a loaded machine) does not move it, while a sound
// changed all along (processing, another sentence) does.
func CompareSegmentsMedian(sent, received Audio, n int) (Result, error) {
	whole, scores, err := compareParts(sent, received, n)
	if err != nil {
		return whole, err
	}
	slices.Sort(scores)
	whole.Score = scores[len(scores)/2]
	if len(scores)%2 == 0 {
		whole.Score = (scores[len(scores)/2-1] + scores[len(scores)/2]) / 2
	}
	return whole, nil
}

// compareParts cuts sent into n parts and scores each part that holds
// sound against received at its own lag; whole has the levels and the
// first part's lag.
func compareParts(sent, received Audio, n int) (whole Result, scores []float64, err error) {
	whole = Result{SentDBFS: rmsDBFS(sent.Samples), ReceivedDBFS: rmsDBFS(received.Samples)}
	if n < 1 {
		n = 1
	}
	size := len(sent.Samples) / n
	maxLag := int(MaxLag.Seconds() * float64(received.Rate))
	for i := range n {
		start := i * size
		part := Audio{Rate: sent.Rate, Samples: sent.Samples[start : start+size]}
		if _, sound := envelope(part); sound < minSoundFrames {
			continue // a pause matches anything
		}
		// received from MaxLag before this part's place: compareLags then
		// searches 0 to 2*MaxLag of delay.
		from := max(0, start*received.Rate/sent.Rate-maxLag)
		if from >= len(received.Samples) {
			return whole, nil, fmt.Errorf("%w: received ends before part %d of sent", ErrTooShort, i+1)
		}
		r, err := compareLags(part, Audio{Rate: received.Rate, Samples: received.Samples[from:]}, 0, 2*int(MaxLag/FrameDuration))
		if errors.Is(err, ErrSilence) {
			whole.Silent = r.Silent
			return whole, nil, err
		}
		if err != nil {
			return whole, nil, err
		}
		if len(scores) == 0 {
			whole.Lag = r.Lag + time.Duration(from)*time.Second/time.Duration(received.Rate) - time.Duration(start)*time.Second/time.Duration(sent.Rate)
		}
		scores = append(scores, r.Score)
	}
	if len(scores) == 0 {
		return whole, nil, fmt.Errorf("sent: %w", ErrSilence)
	}
	return whole, scores, nil
}
