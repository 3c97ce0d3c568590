package analysis

// Leak is how much of a probe played on the output reaches the microphone.
type Leak struct {
	// Detected is false when no echo stands out of the noise: LossDB is then
	// the measurement limit, and the true loss is at least that.
	Detected bool    `json:"detected"`
	LossDB   float64 `json:"loss_db"`  // echo return loss: probe level minus echo level
	DelayMS  float64 `json:"delay_ms"` // output-to-input delay of the strongest path
	// PeakToFloorDB is how far the strongest path stands above the correlation noise.
	PeakToFloorDB float64 `json:"peak_to_floor_db"`
	LimitDB       float64 `json:"limit_db"` // largest loss this capture could have measured
}

// Detection margin for the strongest echo tap over the mean noise tap (dB);
// with ~40 000 lags a noise tap reaches ~10.6 dB above the mean, so 16 dB
// makes a false detection very unlikely.
const leakDetectDB = 16

// leakTapFactor (13 dB) admits a tap outside the main window into the echo sum.
const leakTapFactor = 20

// leakSegments: the probe is also measured in this many parts; see MeasureLeak.
const leakSegments = 4

// MeasureLeak cross-correlates the probe with the capture (which starts when
// the probe starts playing) and returns the loss of the echo path found in
// [0, maxDelayMS]. The echo energy sums the taps from 1 ms before to 30 ms
// after the strongest one (direct path and early room reflections) and any
// other tap 13 dB over the noise.
//
// When an echo is found, each quarter of the probe is also measured alone.
// If the best quarter shows over leakDropoutDB less loss than the whole, part
// of the probe was lost on the way back (a device or loopback dropping
// blocks) and the best quarter is reported: otherwise the leak would look
// smaller than it is, and a false pass is the error that matters. Quarters
// are noisier (a quarter of the energy), so they only override a clear dropout.
func MeasureLeak(probe, capture []float32, maxDelayMS float64) Leak {
	l := measureLeakOnce(probe, capture, maxDelayMS)
	if !l.Detected {
		return l
	}
	seg := len(probe) / leakSegments
	part := make([]float32, len(probe))
	best := l.LossDB
	for k := 0; k < leakSegments; k++ {
		clear(part)
		copy(part[k*seg:(k+1)*seg], probe[k*seg:(k+1)*seg])
		if p := measureLeakOnce(part, capture, maxDelayMS); p.Detected && p.LossDB < best {
			best = p.LossDB
		}
	}
	if l.LossDB-best > leakDropoutDB {
		l.LossDB = best
	}
	return l
}

// leakDropoutDB: how much less loss a quarter must show to reveal a dropout.
const leakDropoutDB = 3

func measureLeakOnce(probe, capture []float32, maxDelayMS float64) Leak {
	var px float64
	for _, v := range probe {
		px += float64(v) * float64(v)
	}
	maxLag := int(maxDelayMS * SampleRate / 1000)
	if maxLag > len(capture)-1 {
		maxLag = len(capture) - 1
	}
	if px == 0 || maxLag < 1 {
		return Leak{LossDB: 0, LimitDB: 0}
	}
	r := crossCorrelate(probe, capture, maxLag)
	h2 := make([]float64, len(r))
	peak := 0
	for t, v := range r {
		h := v / px
		h2[t] = h * h
		if h2[t] > h2[peak] {
			peak = t
		}
	}
	lo, hi := peak-SampleRate/1000, peak+30*SampleRate/1000
	exLo, exHi := peak-5*SampleRate/1000, peak+60*SampleRate/1000
	var floorSum float64
	floorN := 0
	for t, v := range h2 {
		if t < exLo || t > exHi {
			floorSum += v
			floorN++
		}
	}
	floor := h2[peak] * 1e-6 // all taps near the peak: treat as clean
	if floorN > 0 {
		floor = floorSum / float64(floorN)
	}
	// Echo energy: the window around the strongest path, plus any tap
	// elsewhere that stands clearly out of the noise (a late reflection, or
	// the same path shifted when the device dropped or repeated a block).
	var echo float64
	n := 0
	for t, v := range h2 {
		if (t >= lo && t <= hi) || v > floor*leakTapFactor {
			echo += v
			n++
		}
	}
	echo -= float64(n) * floor
	l := Leak{
		PeakToFloorDB: DB(h2[peak]) - DB(floor),
		LimitDB:       -DB(floor) - leakDetectDB,
		DelayMS:       float64(peak) * 1000 / SampleRate,
	}
	if l.PeakToFloorDB >= leakDetectDB && echo > 0 {
		l.Detected = true
		l.LossDB = -DB(echo)
		return l
	}
	l.LossDB, l.DelayMS = l.LimitDB, 0
	return l
}
