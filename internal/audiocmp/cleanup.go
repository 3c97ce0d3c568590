package audiocmp

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/cmplx"
	"slices"
	"time"
)

// Measures of how a cleaned recording (noise suppression, echo
// cancellation) relates to the clean speech that went into it, frame by
// frame: Lags say how much later each part of the speech appears in the
// recording (Align finds them).

// Frame classes, relative to the loudest 20 ms of the clean speech.
const (
	levelFrame = 20 * time.Millisecond
	// pauseBelowDB: a frame (and its two neighbours on each side) quieter
	// than this under the clean peak is a pause between words.
	pauseBelowDB = 50.0
	// speechWithinDB: a frame within this of the clean peak is speech.
	speechWithinDB = 25.0
	// spectrum range and floor of the log-spectral distance: the band
	// wideband calls carry, and per-bin levels clipped this far under the
	// frame's loudest bin so that noise floors do not dominate.
	lsdLowHz, lsdHighHz = 100.0, 7000.0
	lsdFloorDB          = 50.0
)

// Levels are the mean powers of a recording in the clean speech's pauses
// and speech frames.
type Levels struct {
	PauseDBFS, SpeechDBFS float64
	// SpeechMedianDBFS and PauseMedianDBFS are the median 20 ms levels of
	// each class: a few frames measured out of place (a recording whose
	// timeline slipped) do not move them.
	SpeechMedianDBFS, PauseMedianDBFS float64
	Pauses, Speech                    int // frames of each class
}

// SNR is the speech-to-pause ratio in dB, of the mean powers.
func (l Levels) SNR() float64 { return l.SpeechDBFS - l.PauseDBFS }

// MedianSNR is the speech-to-pause ratio in dB of the median frames.
func (l Levels) MedianSNR() float64 { return l.SpeechMedianDBFS - l.PauseMedianDBFS }

func (l Levels) String() string {
	return fmt.Sprintf("speech %.1f dBFS, pauses %.1f dBFS (%d/%d frames)", l.SpeechDBFS, l.PauseDBFS, l.Speech, l.Pauses)
}

// MeasureLevels classifies clean's 20 ms frames into pauses and speech and
// returns x's mean power over each class (x delayed against clean by lags).
// Frames before skip are left out (an adaptive filter converging).
func MeasureLevels(clean, x Audio, lags Lags, skip time.Duration) (Levels, error) {
	pauses, speech, err := classify(clean, skip)
	if err != nil {
		return Levels{}, err
	}
	if x.Rate != clean.Rate {
		return Levels{}, fmt.Errorf("%w: rates %d and %d differ", ErrFormat, clean.Rate, x.Rate)
	}
	n := frameLen(clean.Rate)
	power := func(frames []int) (mean, median float64, used int) {
		var sum float64
		var each []float64
		for _, f := range frames {
			from := f*n + lags.shift(f*n, len(clean.Samples), x.Rate)
			if from < 0 || from+n > len(x.Samples) {
				continue
			}
			p := meanSquare(x.Samples[from : from+n])
			sum += p
			each = append(each, p)
		}
		if len(each) == 0 {
			return math.Inf(-1), math.Inf(-1), 0
		}
		slices.Sort(each)
		return 10 * math.Log10(sum/float64(len(each))+1e-20), 10 * math.Log10(each[len(each)/2]+1e-20), len(each)
	}
	var l Levels
	l.PauseDBFS, l.PauseMedianDBFS, l.Pauses = power(pauses)
	l.SpeechDBFS, l.SpeechMedianDBFS, l.Speech = power(speech)
	if l.Pauses == 0 || l.Speech == 0 {
		return l, fmt.Errorf("%w: the recording does not cover the speech and its pauses (%s)", ErrTooShort, l)
	}
	return l, nil
}

// classify returns the indices of clean's pause and speech frames.
func classify(clean Audio, skip time.Duration) (pauses, speech []int, err error) {
	n := frameLen(clean.Rate)
	frames := len(clean.Samples) / n
	level := make([]float64, frames)
	peak := math.Inf(-1)
	for f := range frames {
		level[f] = 10 * math.Log10(meanSquare(clean.Samples[f*n:(f+1)*n])+1e-20)
		peak = max(peak, level[f])
	}
	first := int(skip / levelFrame)
	for f := max(first, 2); f < frames-2; f++ {
		quiet := true
		for g := f - 2; g <= f+2; g++ {
			quiet = quiet && level[g] < peak-pauseBelowDB
		}
		switch {
		case quiet:
			pauses = append(pauses, f)
		case level[f] > peak-speechWithinDB:
			speech = append(speech, f)
		}
	}
	if len(pauses) < 10 || len(speech) < 10 {
		return nil, nil, fmt.Errorf("%w: clean speech needs pauses and words (%d pause, %d speech frames)", ErrSilence, len(pauses), len(speech))
	}
	return pauses, speech, nil
}

// SpectralDistance is the mean log-spectral distance in dB between clean
// and x over clean's speech frames (x delayed by lags), after removing the
// overall gain difference: 0 for the same sound at any level, about 2-4 dB
// through a good codec, more as noise or suppression colours the speech.
func SpectralDistance(clean, x Audio, lags Lags, skip time.Duration) (float64, error) {
	_, speech, err := classify(clean, skip)
	if err != nil {
		return 0, err
	}
	if x.Rate != clean.Rate {
		return 0, fmt.Errorf("%w: rates %d and %d differ", ErrFormat, clean.Rate, x.Rate)
	}
	n := frameLen(clean.Rate)
	size := 1 << bits.Len(uint(n-1))
	lo := int(lsdLowHz * float64(size) / float64(clean.Rate))
	hi := min(int(lsdHighHz*float64(size)/float64(clean.Rate)), size/2)
	var a, b [][]float64
	var pa, pb float64
	for _, f := range speech {
		from := f*n + lags.shift(f*n, len(clean.Samples), x.Rate)
		if from < 0 || from+n > len(x.Samples) {
			continue
		}
		pa += meanSquare(clean.Samples[f*n : (f+1)*n])
		pb += meanSquare(x.Samples[from : from+n])
		a = append(a, logSpectrum(clean.Samples[f*n:(f+1)*n], size, lo, hi))
		b = append(b, logSpectrum(x.Samples[from:from+n], size, lo, hi))
	}
	if len(a) == 0 {
		return 0, fmt.Errorf("%w: the recording does not cover the speech", ErrTooShort)
	}
	// The overall gain of x against clean, then per-bin differences with
	// both clipped at the clean frame's floor.
	gain := 10 * math.Log10((pb+1e-20)/(pa+1e-20))
	var total float64
	for i := range a {
		floor := maxOf(a[i]) - lsdFloorDB
		var s float64
		for k := range a[i] {
			d := max(b[i][k]-gain, floor) - max(a[i][k], floor)
			s += d * d
		}
		total += math.Sqrt(s / float64(len(a[i])))
	}
	return total / float64(len(a)), nil
}

func frameLen(rate int) int { return rate * int(levelFrame/time.Millisecond) / 1000 }

func meanSquare(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return s / float64(len(x))
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// logSpectrum is the Hann-windowed power spectrum of x (zero-padded to
// size, a power of two) in dB, bins lo..hi-1.
func logSpectrum(x []float64, size, lo, hi int) []float64 {
	a := make([]complex128, size)
	for i, v := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)))
		a[i] = complex(v*w, 0)
	}
	fft(a)
	out := make([]float64, hi-lo)
	for k := lo; k < hi; k++ {
		out[k-lo] = 10 * math.Log10(real(a[k])*real(a[k])+imag(a[k])*imag(a[k])+1e-20)
	}
	return out
}

// fft is an in-place radix-2 FFT; len(a) is a power of two.
func fft(a []complex128) {
	n := len(a)
	shift := 64 - uint(bits.Len(uint(n))-1)
	for i := range n {
		if j := int(bits.Reverse64(uint64(i)) >> shift); i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				u, v := a[start+k], a[start+k+size/2]*w
				a[start+k], a[start+k+size/2] = u+v, u-v
				w *= step
			}
		}
	}
}

// FineLag looks this far around a coarse lag, over the first fineFrames
// speech frames.
const (
	fineSearch = 10 * time.Millisecond
	fineFrames = 150
)

// FineLag refines a lag found on 10 ms envelopes (Result.Lag) to the sample:
// the shift within ±10 ms where clean's loud frames correlate best with x's
// waveform. Codecs that keep the waveform (Opus, G.711) give a clear peak;
// without one, coarse is returned. Frame-based measures (MeasureLevels,
// SpectralDistance) need it: a few ms off smears every 20 ms frame.
func FineLag(clean, x Audio, coarse time.Duration) time.Duration {
	return fineLag(clean, x, coarse, 0, len(clean.Samples))
}

// fineLag is FineLag over clean's samples from..to only.
func fineLag(clean, x Audio, coarse time.Duration, from, to int) time.Duration {
	if clean.Rate != x.Rate {
		return coarse
	}
	_, all, err := classify(clean, 0)
	if err != nil {
		return coarse
	}
	n := frameLen(clean.Rate)
	var speech []int
	for _, f := range all {
		if f*n >= from && (f+1)*n <= to && len(speech) < fineFrames {
			speech = append(speech, f)
		}
	}
	if len(speech) == 0 {
		return coarse
	}
	base := int(coarse.Seconds() * float64(x.Rate))
	span := int(fineSearch.Seconds() * float64(x.Rate))
	best, bestShift := 0.0, 0
	for d := -span; d <= span; d++ {
		var sxy, sxx, syy float64
		for _, f := range speech {
			at := f*n + base + d
			if at < 0 || at+n > len(x.Samples) {
				continue
			}
			for i := range n {
				a, b := clean.Samples[f*n+i], x.Samples[at+i]
				sxy += a * b
				sxx += a * a
				syy += b * b
			}
		}
		if sxx == 0 || syy == 0 {
			continue
		}
		if c := sxy / math.Sqrt(sxx*syy); c > best {
			best, bestShift = c, d
		}
	}
	if best < 0.3 {
		return coarse
	}
	return coarse + time.Duration(bestShift)*time.Second/time.Duration(x.Rate)
}

// Lags are the delays of x against clean, one per equal part of clean
// (a recording whose timeline slipped, a device that under-ran, gets one
// per part); Lags{d} is one delay for the whole.
type Lags []time.Duration

// shift is the lag in x's samples for clean's sample at.
func (l Lags) shift(at, total, rate int) int {
	if len(l) == 0 {
		return 0
	}
	i := min(at*len(l)/max(total, 1), len(l)-1)
	return int(l[i].Seconds() * float64(rate))
}

// Align finds x's delay against clean for each of parts equal parts of
// clean: on the 10 ms envelopes within MaxLag, then to the sample
// (FineLag). A part without speech, or past the recording's end, takes the
// previous part's delay.
func Align(clean, x Audio, parts int) (Lags, error) {
	if clean.Rate != x.Rate {
		return nil, fmt.Errorf("%w: rates %d and %d differ", ErrFormat, clean.Rate, x.Rate)
	}
	parts = max(parts, 1)
	size := len(clean.Samples) / parts
	maxLag := int(MaxLag.Seconds() * float64(x.Rate))
	lags := make(Lags, parts)
	found := false
	for i := range parts {
		start := i * size
		part := Audio{Rate: clean.Rate, Samples: clean.Samples[start : start+size]}
		if _, sound := envelope(part); sound < minSoundFrames {
			if i > 0 {
				lags[i] = lags[i-1]
			}
			continue
		}
		from := max(0, start-maxLag)
		if from+size >= len(x.Samples) {
			lags[i] = lags[max(i-1, 0)]
			continue
		}
		r, err := compareLags(part, Audio{Rate: x.Rate, Samples: x.Samples[from:]}, 0, 2*int(MaxLag/FrameDuration))
		if errors.Is(err, ErrTooShort) {
			lags[i] = lags[max(i-1, 0)]
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i+1, err)
		}
		coarse := r.Lag + time.Duration(from-start)*time.Second/time.Duration(x.Rate)
		lags[i] = fineLag(clean, x, coarse, start, start+size)
		if !found {
			for j := range i {
				lags[j] = lags[i]
			}
			found = true
		}
	}
	if !found {
		return nil, fmt.Errorf("clean: %w", ErrSilence)
	}
	return lags, nil
}
