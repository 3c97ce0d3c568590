package analysis

import (
	"math"
	"math/cmplx"
)

// IEC 61672-1 A-weighting analog pole frequencies (Hz).
const (
	aPole1 = 20.598997
	aPole2 = 107.65265
	aPole3 = 737.86223
	aPole4 = 12194.217
)

// firstOrder is y = (b0 x + b1 x1 - a1 y1) / a0 normalised so a0 = 1.
type firstOrder struct {
	b0, b1, a1 float64
	x1, y1     float64
}

func (f *firstOrder) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 - f.a1*f.y1
	f.x1, f.y1 = x, y
	return y
}

// AWeighting is a stateful A-weighting filter at SampleRate: six
// first-order sections (bilinear with pre-warped poles for the four
// high-pass ones, matched-z for the two low-pass ones), normalised to 0 dB at 1 kHz. Within IEC 61672 class 1
// tolerance from 10 Hz to 16 kHz (see the test).
type AWeighting struct {
	secs []firstOrder
	gain float64
}

// NewAWeighting returns a filter with zeroed state.
func NewAWeighting() *AWeighting {
	c := 2.0 * SampleRate
	warp := func(f float64) float64 { return c * math.Tan(math.Pi*f/SampleRate) }
	hp := func(f float64) firstOrder { // s / (s + w)
		w := warp(f)
		return firstOrder{b0: c / (c + w), b1: -c / (c + w), a1: (w - c) / (c + w)}
	}
	// The high poles use the matched-z transform: no zero at Nyquist, so the
	// response near 16 kHz does not sag as a bilinear section's would.
	lp := func(f float64) firstOrder { // 1 / (s + w), unity gain at DC
		p := math.Exp(-2 * math.Pi * f / SampleRate)
		return firstOrder{b0: 1 - p, a1: -p}
	}
	a := &AWeighting{secs: []firstOrder{hp(aPole1), hp(aPole1), hp(aPole2), hp(aPole3), lp(aPole4), lp(aPole4)}, gain: 1}
	a.gain = 1 / cmplx.Abs(a.response(1000))
	return a
}

// response is the complex gain at f Hz (without the normalisation gain).
func (a *AWeighting) response(f float64) complex128 {
	z1 := cmplx.Exp(complex(0, -2*math.Pi*f/SampleRate)) // z^-1
	h := complex(a.gain, 0)
	for _, s := range a.secs {
		h *= (complex(s.b0, 0) + complex(s.b1, 0)*z1) / (1 + complex(s.a1, 0)*z1)
	}
	return h
}

// GainDB is the filter's magnitude response at f Hz.
func (a *AWeighting) GainDB(f float64) float64 {
	return 20 * math.Log10(cmplx.Abs(a.response(f)))
}

// Process filters in place-free: it returns a new slice and keeps state for the next call.
func (a *AWeighting) Process(in []float32) []float32 {
	out := make([]float32, len(in))
	for i, x := range in {
		v := float64(x)
		for j := range a.secs {
			v = a.secs[j].step(v)
		}
		out[i] = float32(v * a.gain)
	}
	return out
}
