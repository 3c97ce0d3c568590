package dsp

import "math"

// highpass is a second-order Butterworth high-pass (RBJ biquad) on int16
// audio. Below highpassHz a headset microphone picks up rumble, fan and
// mains hum, not speech; removing it first lets the denoiser spend its
// attenuation where speech is (docs/audio.md measures the difference).
type highpass struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

func newHighpass(cutoffHz, rate float64) highpass {
	w := 2 * math.Pi * cutoffHz / rate
	alpha := math.Sin(w) / (2 / math.Sqrt2) // Q = 1/sqrt(2)
	c := math.Cos(w)
	a0 := 1 + alpha
	return highpass{
		b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0,
		a1: -2 * c / a0, a2: (1 - alpha) / a0,
	}
}

// run filters x in place.
func (h *highpass) run(x []int16) {
	for i, v := range x {
		in := float64(v)
		y := h.b0*in + h.b1*h.x1 + h.b2*h.x2 - h.a1*h.y1 - h.a2*h.y2
		h.x2, h.x1, h.y2, h.y1 = h.x1, in, h.y1, y
		x[i] = clamp16(y)
	}
	// Keep denormals out of the recursion during digital silence.
	if math.Abs(h.y1) < 1e-20 {
		h.y1 = 0
	}
	if math.Abs(h.y2) < 1e-20 {
		h.y2 = 0
	}
}

func clamp16(v float64) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.Round(v))
}
