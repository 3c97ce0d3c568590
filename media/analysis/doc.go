// Package analysis measures audio signals for the pre-shift check: capture
// health (is this live sound at all), IEC 61672 A-weighting, room levels
// (Leq, L10, L90, Lmax), voice activity (talk vs bursts), sustained partials
// (music vs a machine), the probe-to-microphone leak by cross-correlation,
// active speech level, and how close the microphone is to the talker.
// It works on 48 kHz mono samples in memory, never on devices.
//
// Levels are in dBFS with full scale = RMS of a full-scale square wave
// (a full-scale sine reads -3.01 dBFS).
package analysis

import "math"

// SampleRate is the only rate the analysis accepts (the project's frame rate).
const SampleRate = 48000

// Floor is reported for digital silence instead of -Inf, so JSON stays valid.
const Floor = -150.0

// Int16ToFloat converts PCM to [-1, 1).
func Int16ToFloat(in []int16) []float32 {
	out := make([]float32, len(in))
	for i, s := range in {
		out[i] = float32(s) / 32768
	}
	return out
}

// DB converts a power ratio to decibels, clamped at Floor.
func DB(power float64) float64 {
	if power <= 0 {
		return Floor
	}
	return math.Max(10*math.Log10(power), Floor)
}
