// Package impairbench measures call audio through a user-space impaired
// network (internal/impair between two network namespaces): Homeshore and
// baresip 1.0.0 as senders and receivers, scored against the sent speech.
// The tests hold a short subset (make test), the benchmark the full matrix
// (make bench); bench/impair/run.sh runs the matrix and prints the tables.
package impairbench

import (
	"math"
	"math/cmplx"
	"slices"
	"time"
)

// Score of a received recording against the sent speech.
type Score struct {
	// EnvCorr is the Pearson correlation of the 10 ms log envelopes, block
	// by block at each block's own alignment (0..1).
	EnvCorr float64
	// LSD is the mean log-spectral distance over the active 20 ms frames
	// of the sent speech, in dB.
	LSD float64
	// BadPercent is the share of active frames whose LSD exceeds
	// BadFrameLSD or whose level is BadFrameDrop below the sent one.
	BadPercent float64
	// Delay is where received best matches sent, overall (the first
	// block's alignment, to the sample).
	Delay time.Duration
	// MedianDelay is the median of the blocks' alignments: the delay over
	// the whole call (a jitter buffer grows and trims as it goes).
	MedianDelay time.Duration
	// Frames is the number of active frames compared.
	Frames int
	// Detail, for looking at one run: each block's alignment (samples)
	// and the bad frames (index in sent).
	blockLags []int
	badFrames []int
}

// Scoring parameters. A frame is active when its level is within
// activeRange of the loudest frame of the sent speech. The bad-frame
// thresholds were set from clean calls (Opus 32 kbit/s through Homeshore
// and baresip: frame LSD median 2-4 dB, 99th percentile below 9 dB) and
// from frames concealed after a burst (12-25 dB, or dropped to silence).
const (
	frameLen     = 960 // 20 ms at 48 kHz
	fftLen       = 1024
	activeRange  = 30.0 // dB below the loudest sent frame
	BadFrameLSD  = 10.0 // dB
	BadFrameDrop = 15.0 // dB
	blockFrames  = 25   // 500 ms blocks, each aligned on its own
	blockSearch  = 80 * time.Millisecond
	// blockWideSearch: how far from the overall lag a block may sit.
	blockWideSearch = 400 * time.Millisecond
	bandLowHz       = 100.0
	bandHighHz      = 7000.0
	bands           = 20
	levelFloorDB    = -70.0
)

// Compare scores received (48 kHz mono, full scale ±1) against sent; the
// sound may appear in received up to maxDelay after it was sent.
func Compare(sent, received []float64, maxDelay time.Duration) Score {
	const rate = 48000
	s8, r8 := decimate6(sent), decimate6(received)
	global := 6 * envelopeLag(s8, r8, int(maxDelay/(10*time.Millisecond)))
	// Refine on the first seconds: at 8 kHz within ±20 ms, then to the
	// sample.
	head := s8[:min(len(s8), 5*8000)]
	g8 := bestLag(head, r8, max(0, global/6-160), global/6+160, 1)
	global = bestLag(sent[:min(len(sent), 5*rate)], received, max(0, 6*g8-6), 6*g8+6, 1)
	var sc Score
	sc.Delay = time.Duration(global) * time.Second / rate

	nFrames := len(sent) / frameLen
	levels := make([]float64, nFrames)
	loudest := math.Inf(-1)
	for f := range nFrames {
		levels[f] = levelDB(sent[f*frameLen : (f+1)*frameLen])
		loudest = max(loudest, levels[f])
	}
	search := int(blockSearch.Seconds() * 8000)
	wideSearch := int(blockWideSearch.Seconds() * 8000)
	var sumLSD, sumCorr float64
	var corrBlocks int
	lag := global
	for b0 := 0; b0 < nFrames; b0 += blockFrames {
		b1 := min(b0+blockFrames, nFrames)
		seg := sent[b0*frameLen : b1*frameLen]
		if silent(levels[b0:b1], loudest) {
			continue
		}
		// Each block at its own alignment: a jitter buffer that grows or
		// trims shifts everything after it.
		// Near the previous block's alignment first; but a buffer that
		// grew in steps early on leaves the first blocks far from the
		// overall lag, so a block is also looked for widely around it and
		// the better match wins (else one lost lock spoils the rest).
		seg8 := s8[b0*frameLen/6 : b1*frameLen/6]
		rest8 := r8[min(len(r8), b0*frameLen/6):]
		l8, c8 := bestLagCorr(seg8, rest8, max(0, lag/6-search), lag/6+search, 1)
		if w8, wc := bestLagCorr(seg8, rest8, max(0, global/6-wideSearch), global/6+wideSearch, 2); wc > c8+0.05 {
			l8, _ = bestLagCorr(seg8, rest8, max(0, w8-2), w8+2, 1)
		}
		lag = bestLag(seg, received[min(len(received), b0*frameLen):], max(0, 6*l8-6), 6*l8+6, 1)
		sc.blockLags = append(sc.blockLags, lag)
		recvAt := func(f int) []float64 {
			i := f*frameLen + lag
			if i < 0 || i+frameLen > len(received) {
				return nil
			}
			return received[i : i+frameLen]
		}
		if c, ok := envelopeCorr(seg, received, b0*frameLen+lag); ok {
			sumCorr += c
			corrBlocks++
		}
		for f := b0; f < b1; f++ {
			if levels[f] < loudest-activeRange {
				continue
			}
			sc.Frames++
			r := recvAt(f)
			if r == nil {
				sc.BadPercent++
				sumLSD += 30
				continue
			}
			d := frameLSD(sent[f*frameLen:(f+1)*frameLen], r)
			sumLSD += d
			if d > BadFrameLSD || levelDB(r) < levels[f]-BadFrameDrop {
				sc.BadPercent++
				sc.badFrames = append(sc.badFrames, f)
			}
		}
	}
	if len(sc.blockLags) > 0 {
		lags := slices.Clone(sc.blockLags)
		slices.Sort(lags)
		sc.MedianDelay = time.Duration(lags[len(lags)/2]) * time.Second / rate
	}
	if sc.Frames > 0 {
		sc.LSD = sumLSD / float64(sc.Frames)
		sc.BadPercent = 100 * sc.BadPercent / float64(sc.Frames)
	}
	if corrBlocks > 0 {
		sc.EnvCorr = max(0, sumCorr/float64(corrBlocks))
	}
	return sc
}

// decimate6 averages groups of 6 samples: 48 kHz to a rough 8 kHz.
func decimate6(x []float64) []float64 {
	out := make([]float64, len(x)/6)
	for i := range out {
		var s float64
		for _, v := range x[6*i : 6*i+6] {
			s += v
		}
		out[i] = s / 6
	}
	return out
}

// envelopeLag is the lag, in 10 ms steps from 0 to maxSteps, where the
// log envelope of r (8 kHz) best follows that of s.
func envelopeLag(s, r []float64, maxSteps int) int {
	env := func(x []float64) []float64 {
		e := make([]float64, len(x)/80)
		for i := range e {
			e[i] = max(levelDB(x[i*80:(i+1)*80]), -60)
		}
		return e
	}
	es, er := env(s), env(r)
	best, bestL := math.Inf(-1), 0
	for l := 0; l <= maxSteps; l++ {
		n := min(len(es), len(er)-l)
		if n < len(es)/2 {
			break
		}
		if c := pearson(es[:n], er[l:l+n]); c > best {
			best, bestL = c, l
		}
	}
	return bestL * 80
}

func silent(levels []float64, loudest float64) bool {
	for _, l := range levels {
		if l >= loudest-activeRange {
			return false
		}
	}
	return true
}

// bestLag finds the lag in [lo, hi] (step samples apart) where b shifted
// by lag correlates best with a (normalised cross-correlation).
func bestLag(a, b []float64, lo, hi, step int) int {
	l, _ := bestLagCorr(a, b, lo, hi, step)
	return l
}

// bestLagCorr is bestLag with the correlation coefficient found there.
func bestLagCorr(a, b []float64, lo, hi, step int) (int, float64) {
	best, bestL, bestC := math.Inf(-1), lo, 0.0
	for l := lo; l <= hi; l += step {
		if l+len(a) > len(b) {
			n := len(b) - l
			if n < len(a)/2 {
				break
			}
		}
		var ab, aa, bb float64
		n := min(len(a), len(b)-l)
		// Every other sample: enough for speech below 12 kHz.
		for i := 0; i < n; i += 2 {
			ab += a[i] * b[l+i]
			aa += a[i] * a[i]
			bb += b[l+i] * b[l+i]
		}
		if bb == 0 {
			continue
		}
		if c := ab / math.Sqrt(bb); c > best {
			best, bestL, bestC = c, l, ab/math.Sqrt(aa*bb+1e-30)
		}
	}
	return bestL, bestC
}

func levelDB(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return max(10*math.Log10(s/float64(len(x))+1e-12), levelFloorDB)
}

// envelopeCorr correlates the 10 ms log envelopes of seg and received
// from offset on.
func envelopeCorr(seg, received []float64, offset int) (float64, bool) {
	const hop = 480
	n := len(seg) / hop
	if offset < 0 || offset+n*hop > len(received) || n < 4 {
		return 0, false
	}
	a, b := make([]float64, n), make([]float64, n)
	for i := range n {
		a[i] = max(levelDB(seg[i*hop:(i+1)*hop]), -60)
		b[i] = max(levelDB(received[offset+i*hop:offset+(i+1)*hop]), -60)
	}
	return pearson(a, b), true
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var ab, aa, bb float64
	for i := range a {
		ab += (a[i] - ma) * (b[i] - mb)
		aa += (a[i] - ma) * (a[i] - ma)
		bb += (b[i] - mb) * (b[i] - mb)
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// frameLSD is the log-spectral distance of two 20 ms frames over bands
// log-spaced from bandLowHz to bandHighHz, in dB.
func frameLSD(a, b []float64) float64 {
	ea, eb := bandEnergies(a), bandEnergies(b)
	// Floor each band 50 dB below the sent frame's loudest band, so
	// silence against codec noise does not count as a huge distance.
	var peak float64
	for _, e := range ea {
		peak = max(peak, e)
	}
	floor := peak*1e-5 + 1e-12
	var s float64
	for i := range ea {
		d := 10 * math.Log10((ea[i]+floor)/(eb[i]+floor))
		s += d * d
	}
	return math.Sqrt(s / bands)
}

func bandEnergies(x []float64) [bands]float64 {
	var buf [fftLen]complex128
	for i, v := range x {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(x)-1))
		buf[i] = complex(v*w, 0)
	}
	fft(buf[:])
	var e [bands]float64
	ratio := math.Pow(bandHighHz/bandLowHz, 1.0/bands)
	lo := bandLowHz
	for k := range bands {
		hi := lo * ratio
		i0, i1 := int(lo*fftLen/48000), max(int(hi*fftLen/48000), int(lo*fftLen/48000)+1)
		for i := i0; i < i1; i++ {
			a := cmplx.Abs(buf[i])
			e[k] += a * a
		}
		lo = hi
	}
	return e
}

// fft is an in-place radix-2 FFT; len(x) is a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := range size / 2 {
				u, v := x[start+k], x[start+k+size/2]*wk
				x[start+k], x[start+k+size/2] = u+v, u-v
				wk *= w
			}
		}
	}
}
