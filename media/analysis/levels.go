package analysis

import (
	"math"
	"sort"
)

// FastTau is the IEC 61672 "fast" time constant; levels are sampled every LevelStep.
const (
	FastTau   = 0.125
	LevelStep = 0.010
)

// Levels are the room figures of one capture, A-weighted, in dBFS.
type Levels struct {
	LeqA  float64 `json:"leq_dbfs_a"`  // energy average
	L10A  float64 `json:"l10_dbfs_a"`  // exceeded 10 % of the time: frequent events
	L50A  float64 `json:"l50_dbfs_a"`  // median
	L90A  float64 `json:"l90_dbfs_a"`  // exceeded 90 % of the time: steady background
	LmaxA float64 `json:"lmax_dbfs_a"` // loudest fast-weighted level
}

// SignalStats are unweighted facts used to spot a dead, muted or clipping microphone.
type SignalStats struct {
	RMSDBFS      float64 `json:"rms_dbfs"`
	PeakDBFS     float64 `json:"peak_dbfs"`
	ClipPercent  float64 `json:"clip_percent"`   // samples at or within 0.1 dB of full scale
	DigitalZero  bool    `json:"digital_zero"`   // every sample exactly 0
	Constant     bool    `json:"constant"`       // no variation at all (stuck or DC only)
	DCOffsetDBFS float64 `json:"dc_offset_dbfs"` // mean value as a level
}

// RoomLevels A-weights samples and computes Leq and the percentile levels of
// the fast-weighted level sampled every LevelStep. The first FastTau·3 of
// filter settling is skipped.
func RoomLevels(samples []float32) Levels {
	w := NewAWeighting().Process(samples)
	skip := int(3 * FastTau * SampleRate)
	if skip >= len(w) {
		skip = 0
	}
	w = w[skip:]
	var sum float64
	alpha := 1 - math.Exp(-1/(FastTau*SampleRate))
	step := int(LevelStep * SampleRate)
	env := 0.0
	levels := make([]float64, 0, len(w)/step+1)
	// Start the envelope at the first block's mean power so the first values are not a ramp.
	for i := 0; i < len(w) && i < int(FastTau*SampleRate); i++ {
		env += float64(w[i]) * float64(w[i])
	}
	env /= math.Max(1, math.Min(float64(len(w)), FastTau*SampleRate))
	for i, x := range w {
		p := float64(x) * float64(x)
		sum += p
		env += alpha * (p - env)
		if (i+1)%step == 0 {
			levels = append(levels, DB(env))
		}
	}
	l := Levels{LeqA: Floor, L10A: Floor, L50A: Floor, L90A: Floor, LmaxA: Floor}
	if len(w) == 0 {
		return l
	}
	l.LeqA = DB(sum / float64(len(w)))
	if len(levels) == 0 {
		levels = append(levels, l.LeqA)
	}
	sort.Float64s(levels)
	pct := func(exceeded float64) float64 { // level exceeded `exceeded` of the time
		i := int(math.Round((1 - exceeded) * float64(len(levels)-1)))
		return levels[i]
	}
	l.L10A, l.L50A, l.L90A, l.LmaxA = pct(0.10), pct(0.50), pct(0.90), levels[len(levels)-1]
	return l
}

// Stats computes unweighted signal facts.
func Stats(samples []float32) SignalStats {
	s := SignalStats{RMSDBFS: Floor, PeakDBFS: Floor, DCOffsetDBFS: Floor, DigitalZero: true, Constant: true}
	if len(samples) == 0 {
		return s
	}
	const clip = 0.988 // -0.1 dBFS
	var sum, mean, peak float64
	clipped := 0
	first := samples[0]
	for _, x := range samples {
		v := float64(x)
		sum += v * v
		mean += v
		if a := math.Abs(v); a > peak {
			peak = a
		}
		if math.Abs(v) >= clip {
			clipped++
		}
		if x != 0 {
			s.DigitalZero = false
		}
		if x != first {
			s.Constant = false
		}
	}
	n := float64(len(samples))
	s.RMSDBFS = DB(sum / n)
	s.PeakDBFS = DB(peak * peak)
	s.ClipPercent = 100 * float64(clipped) / n
	mean /= n
	s.DCOffsetDBFS = DB(mean * mean)
	return s
}
