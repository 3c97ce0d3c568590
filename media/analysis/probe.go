package analysis

import (
	"math"
	"math/rand/v2"
)

// Probe returns white noise of the given length and RMS level (dBFS), with
// 10 ms raised-cosine fades; seed makes it reproducible. White noise keeps the
// cross-correlation a clean estimate of the echo path.
func Probe(ms int, levelDBFS float64, seed uint64) []float32 {
	n := ms * SampleRate / 1000
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]float32, n)
	amp := math.Pow(10, levelDBFS/20)
	fade := SampleRate / 100
	for i := range out {
		g := amp * rng.NormFloat64()
		if i < fade {
			g *= 0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(fade))
		} else if n-1-i < fade {
			g *= 0.5 - 0.5*math.Cos(math.Pi*float64(n-1-i)/float64(fade))
		}
		out[i] = float32(math.Max(-1, math.Min(1, g)))
	}
	return out
}

// Tone returns a sine at f Hz, the given RMS level and length, with fades.
func Tone(ms int, f, levelDBFS float64) []float32 {
	n := ms * SampleRate / 1000
	out := make([]float32, n)
	amp := math.Sqrt2 * math.Pow(10, levelDBFS/20)
	fade := SampleRate / 100
	for i := range out {
		g := amp * math.Sin(2*math.Pi*f*float64(i)/SampleRate)
		if i < fade {
			g *= float64(i) / float64(fade)
		} else if n-1-i < fade {
			g *= float64(n-1-i) / float64(fade)
		}
		out[i] = float32(g)
	}
	return out
}

// FloatToInt16 converts [-1, 1] samples to PCM with saturation.
func FloatToInt16(in []float32) []int16 {
	out := make([]int16, len(in))
	for i, v := range in {
		out[i] = int16(math.Max(-32768, math.Min(32767, math.Round(float64(v)*32768))))
	}
	return out
}
