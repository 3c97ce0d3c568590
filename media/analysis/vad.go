package analysis

import (
	"math"
	"sort"
)

// Voice-activity parameters. Speech is told from fans, traffic and keyboards
// by its pitch: after a mild (order 2) LPC whitening, voiced speech is
// periodic at 80–400 Hz while noise is not, and unlike mains hum or a
// machine's whine its pitch moves. Tuned on the labelled corpus in
// app/precheck/testdata (see docs/precheck.md for its accuracy table).
const (
	vadRate       = 8000
	vadFrame      = 320 // 40 ms at 8 kHz
	vadHop        = 160 // 20 ms
	vadMinLag     = vadRate / 400
	vadMaxLag     = vadRate / 80
	vadLPCOrder   = 2
	vadPeriodic   = 0.45 // normalised residual autocorrelation for a voiced frame
	vadAboveFloor = 3.0  // dB over the capture's 10th-percentile frame energy
	vadMinEnergy  = -75.0
	// Voices are reported when at least vadMinVoicedMS of voiced frames fall in
	// at least vadMinSegments separate runs: one syllable-like blip is not a voice.
	vadMinVoicedMS  = 300
	vadMinSegments  = 2
	vadSegmentGapMS = 100
	// A steady pitch (this share of voiced frames within ±1 lag of the most
	// common lag) is hum or a machine, not a voice.
	vadTonalShare = 0.6
	// Talk has the structure of speech: syllables (voiced runs) follow one
	// another in phrases (runs less than vadPhraseGapMS apart), or vowels are
	// drawn out (a shout). Isolated short voiced bursts are barks, yelps or
	// squeaks; so is voicing whose period is really half the detected lag
	// (pitch over 400 Hz, above any adult or child speaking voice) in over
	// vadHighPitchShare of the voiced frames.
	vadRunMergeFrames = 2
	vadPhraseGapMS    = 300
	vadPhraseMinRuns  = 3
	vadLongRunMS      = 300
	vadHighPitchShare = 0.30
	vadHalfPeriodic   = 0.8 // half-lag periodicity, relative to the lag's, for a pitch over 400 Hz
)

// Voice is the voice-activity result of a capture.
type Voice struct {
	Detected      bool    `json:"detected"`
	VoicedMS      int     `json:"voiced_ms"`
	VoicedPercent float64 `json:"voiced_percent"`
	Segments      int     `json:"segments"`
	MedianPitchHz float64 `json:"median_pitch_hz,omitempty"`
	FrameCount    int     `json:"frames"`
	Tonal         bool    `json:"tonal,omitempty"` // periodic but steady: hum, whine, not a voice
	// HighPitchPercent: voiced frames whose pitch is over 400 Hz.
	HighPitchPercent float64 `json:"high_pitch_percent"`
	// PhraseRuns is the most voiced runs (syllables) in one phrase;
	// MedianRunMS the median voiced run.
	PhraseRuns  int `json:"phrase_runs"`
	MedianRunMS int `json:"median_run_ms"`
	// Bursts: voiced sound, but not talk (isolated short bursts or a pitch
	// over 400 Hz): a dog, a squeaking toy, an alarm.
	Bursts         bool  `json:"bursts,omitempty"`
	VoicedFrameIdx []int `json:"-"`
}

// DetectVoice finds voiced speech in a 48 kHz capture.
func DetectVoice(samples []float32) Voice {
	x := decimate6(samples)
	nFrames := 0
	if len(x) >= vadFrame {
		nFrames = 1 + (len(x)-vadFrame)/vadHop
	}
	energy := make([]float64, nFrames)
	period := make([]float64, nFrames)
	lags := make([]int, nFrames)
	half := make([]float64, nFrames)
	win := hann(vadFrame)
	buf := make([]float64, vadFrame)
	res := make([]float64, vadFrame)
	for f := 0; f < nFrames; f++ {
		seg := x[f*vadHop : f*vadHop+vadFrame]
		var e float64
		for i, v := range seg {
			buf[i] = v * win[i]
			e += v * v
		}
		energy[f] = DB(e / vadFrame)
		lpcResidual(buf, res, vadLPCOrder)
		period[f], lags[f] = periodicity(res)
		half[f] = halfPeriodicity(res, lags[f])
	}
	v := Voice{FrameCount: nFrames}
	if nFrames == 0 {
		return v
	}
	sorted := append([]float64(nil), energy...)
	sort.Float64s(sorted)
	floor := sorted[len(sorted)/10]
	var pitches []float64
	lastVoiced := -1 << 30
	gapFrames := vadSegmentGapMS * vadRate / 1000 / vadHop
	for f := 0; f < nFrames; f++ {
		if energy[f] < vadMinEnergy || energy[f] < floor+vadAboveFloor || period[f] < vadPeriodic {
			continue
		}
		v.VoicedFrameIdx = append(v.VoicedFrameIdx, f)
		pitches = append(pitches, float64(vadRate)/float64(lags[f]))
		if f-lastVoiced > gapFrames {
			v.Segments++
		}
		lastVoiced = f
	}
	v.VoicedMS = len(v.VoicedFrameIdx) * vadHop * 1000 / vadRate
	v.VoicedPercent = 100 * float64(len(v.VoicedFrameIdx)) / float64(nFrames)
	if len(pitches) > 0 {
		sort.Float64s(pitches)
		v.MedianPitchHz = math.Round(pitches[len(pitches)/2])
	}
	v.Tonal = tonal(lags, v.VoicedFrameIdx)
	high := 0
	for _, f := range v.VoicedFrameIdx {
		if half[f] >= vadHalfPeriodic*period[f] {
			high++
		}
	}
	if n := len(v.VoicedFrameIdx); n > 0 {
		v.HighPitchPercent = math.Round(1000*float64(high)/float64(n)) / 10
	}
	v.PhraseRuns, v.MedianRunMS = talkStructure(v.VoicedFrameIdx)
	voiced := v.VoicedMS >= vadMinVoicedMS && v.Segments >= vadMinSegments && !v.Tonal
	talk := v.PhraseRuns >= vadPhraseMinRuns || v.MedianRunMS >= vadLongRunMS
	v.Bursts = voiced && (!talk || v.HighPitchPercent > 100*vadHighPitchShare)
	v.Detected = voiced && !v.Bursts
	return v
}

// talkStructure groups voiced frames into runs (gaps up to
// vadRunMergeFrames) and runs into phrases (gaps under vadPhraseGapMS): it
// returns the most runs in one phrase and the median run length.
func talkStructure(voiced []int) (phraseRuns, medianRunMS int) {
	if len(voiced) == 0 {
		return 0, 0
	}
	frameMS := vadHop * 1000 / vadRate
	var runs [][2]int
	for _, f := range voiced {
		if n := len(runs); n > 0 && f-runs[n-1][1] <= vadRunMergeFrames {
			runs[n-1][1] = f
			continue
		}
		runs = append(runs, [2]int{f, f})
	}
	durs := make([]int, len(runs))
	cur := 0
	for i, r := range runs {
		durs[i] = (r[1] - r[0] + 1) * frameMS
		if i == 0 || (r[0]-runs[i-1][1])*frameMS > vadPhraseGapMS {
			cur = 0
		}
		cur++
		phraseRuns = max(phraseRuns, cur)
	}
	sort.Ints(durs)
	return phraseRuns, durs[len(durs)/2]
}

// halfPeriodicity is the residual's normalised autocorrelation at half the
// pitch lag (the better of the two neighbouring lags): as high as at the lag
// itself when the true period is the half, i.e. a pitch over 400 Hz.
func halfPeriodicity(res []float64, lag int) float64 {
	var r0 float64
	for _, v := range res {
		r0 += v * v
	}
	n := len(res)
	best := 0.0
	for _, h := range []int{lag / 2, (lag + 1) / 2} {
		if h < 2 || h >= n || r0 == 0 {
			continue
		}
		var num float64
		for i := h; i < n; i++ {
			num += res[i] * res[i-h]
		}
		best = math.Max(best, num/r0*float64(n)/float64(n-h))
	}
	return best
}

// decimate6 low-passes at 3.4 kHz (two Butterworth biquads) and keeps every 6th sample.
func decimate6(in []float32) []float64 {
	b := []biquad{lowpass(3400, 0.5412), lowpass(3400, 1.3066), highpass(70, 0.7071)}
	out := make([]float64, 0, len(in)/6+1)
	for i, s := range in {
		v := float64(s)
		for j := range b {
			v = b[j].step(v)
		}
		if i%6 == 0 {
			out = append(out, v)
		}
	}
	return out
}

type biquad struct{ b0, b1, b2, a1, a2, x1, x2, y1, y2 float64 }

func (q *biquad) step(x float64) float64 {
	y := q.b0*x + q.b1*q.x1 + q.b2*q.x2 - q.a1*q.y1 - q.a2*q.y2
	q.x2, q.x1, q.y2, q.y1 = q.x1, x, q.y1, y
	return y
}

// lowpass and highpass are RBJ cookbook biquads at SampleRate.
func lowpass(f, q float64) biquad {
	w := 2 * math.Pi * f / SampleRate
	al := math.Sin(w) / (2 * q)
	c := math.Cos(w)
	a0 := 1 + al
	return biquad{b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

func highpass(f, q float64) biquad {
	w := 2 * math.Pi * f / SampleRate
	al := math.Sin(w) / (2 * q)
	c := math.Cos(w)
	a0 := 1 + al
	return biquad{b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - al) / a0}
}

func hann(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	return w
}

// lpcResidual whitens x with an order-p LPC inverse filter (Levinson-Durbin).
func lpcResidual(x, res []float64, p int) {
	r := make([]float64, p+1)
	for k := 0; k <= p; k++ {
		for i := k; i < len(x); i++ {
			r[k] += x[i] * x[i-k]
		}
	}
	a := make([]float64, p+1)
	a[0] = 1
	if r[0] <= 0 {
		copy(res, x)
		return
	}
	r[0] *= 1.0001 // slight white-noise correction keeps the recursion stable
	e := r[0]
	tmp := make([]float64, p+1)
	for i := 1; i <= p; i++ {
		acc := r[i]
		for j := 1; j < i; j++ {
			acc += a[j] * r[i-j]
		}
		k := -acc / e
		copy(tmp, a)
		for j := 1; j < i; j++ {
			a[j] = tmp[j] + k*tmp[i-j]
		}
		a[i] = k
		e *= 1 - k*k
		if e <= 0 {
			break
		}
	}
	for n := range x {
		v := x[n]
		for j := 1; j <= p && n-j >= 0; j++ {
			v += a[j] * x[n-j]
		}
		res[n] = v
	}
}

// tonal reports whether most voiced frames share one pitch lag.
func tonal(lags []int, voiced []int) bool {
	if len(voiced) == 0 {
		return false
	}
	count := map[int]int{}
	for _, f := range voiced {
		count[lags[f]]++
	}
	best := 0
	for lag := range count {
		if n := count[lag-1] + count[lag] + count[lag+1]; n > best {
			best = n
		}
	}
	return float64(best) >= vadTonalShare*float64(len(voiced))
}

// periodicity is the best autocorrelation of res over pitch lags, normalised
// by the frame energy (so a lone click never looks periodic) and corrected
// for the shrinking overlap, taken only at a local maximum.
func periodicity(res []float64) (float64, int) {
	var r0 float64
	for _, v := range res {
		r0 += v * v
	}
	ac := make([]float64, vadMaxLag+2)
	n := len(res)
	for lag := vadMinLag - 1; lag <= vadMaxLag+1 && r0 > 0; lag++ {
		var num float64
		for i := lag; i < n; i++ {
			num += res[i] * res[i-lag]
		}
		ac[lag] = num / r0 * float64(n) / float64(n-lag)
	}
	best, bestLag := 0.0, vadMinLag
	for lag := vadMinLag; lag <= vadMaxLag; lag++ {
		if ac[lag] > best && ac[lag] >= ac[lag-1] && ac[lag] >= ac[lag+1] {
			best, bestLag = ac[lag], lag
		}
	}
	return best, bestLag
}
