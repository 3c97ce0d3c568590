package analysis

import "math"

// Fault says why a capture cannot be trusted for a measurement. A capture
// with a fault proves nothing: not a quiet room, not a headset, not a
// working microphone.
type Fault string

// Capture faults, in the order CheckCapture tests them.
const (
	FaultNone       Fault = ""
	FaultShort      Fault = "short"       // fewer samples than the measurement needs, or a quarter of them zeros before the first sound
	FaultSilent     Fault = "silent"      // every sample exactly zero: muted, dead or unplugged input
	FaultConstant   Fault = "constant"    // one value (or a DC offset with no sound on it): stuck input
	FaultNearSilent Fault = "near_silent" // varies, but below any working microphone's self-noise (or within a few LSB)
	FaultRail       Fault = "rail"        // a fifth at full scale with the agent silent: stuck at the rails, a square wave, gain far too high
	FaultSparse     Fault = "sparse"      // a handful of distinct values: broken converter or stuck bits
	FaultGaps       Fault = "gaps"        // runs of exact zeros inside live sound: the stream lost audio
)

// Capture-health thresholds. A live microphone never produces 5 ms of exact
// zeros between its own noise samples, never sits at full scale for a fifth
// of the time, and spreads even its self-noise over dozens of 16-bit values.
const (
	railLevel          = 0.988 // -0.1 dBFS: a sample at the rail
	railBrokenPercent  = 20.0  // this share at the rails: not sound
	sparseMaxLevels    = 8     // at most this many distinct values...
	sparseMinSpanLSB   = 64    // ...spread over at least this many steps
	lsbNoiseSpan       = 4     // peak-to-peak within this many steps: converter noise, no microphone
	gapMinMS           = 5.0   // exact-zero run counted as a gap
	leadMaxShare       = 0.25  // zeros before the first sound (a device starting up) beyond this share: too short
	gapMaxPercent      = 1.0   // gaps over this share of the capture...
	gapMaxLongestMS    = 50.0  // ...or one gap this long: the stream lost audio
	constantDCMinDBFS  = -40.0 // a near-silent capture with this much DC is stuck, not quiet
	distinctLevelLimit = 1 << 16
)

// Capture is the health of one capture, with the figures that decided it.
type Capture struct {
	Fault        Fault   `json:"fault,omitempty"`
	Seconds      float64 `json:"seconds"`
	ACLevelDBFS  float64 `json:"ac_rms_dbfs"` // RMS with the mean removed
	RailPercent  float64 `json:"rail_percent"`
	Levels       int     `json:"distinct_levels"` // distinct 16-bit sample values
	GapMS        float64 `json:"gap_ms"`          // exact-zero runs inside the sound, in total
	LongestGapMS float64 `json:"longest_gap_ms"`
	LeadMS       float64 `json:"lead_ms"` // zeros before the first sound: the device starting up
}

// OK reports whether the capture can be measured.
func (c Capture) OK() bool { return c.Fault == FaultNone }

// CheckCapture tells whether x (which should hold want samples) is sound
// from a working input. deadBelowDBFS is the level under which no working
// microphone's self-noise falls (policy checks.microphone.dead_below_dbfs).
func CheckCapture(x []float32, want int, deadBelowDBFS float64) Capture {
	c := Capture{Seconds: float64(len(x)) / SampleRate, ACLevelDBFS: Floor}
	if len(x) == 0 || len(x) < want {
		c.Fault = FaultShort
		if len(x) == 0 {
			return c
		}
	}
	var sum, sum2 float64
	rail := 0
	seen := make([]bool, distinctLevelLimit)
	lo, hi := math.MaxInt32, math.MinInt32
	allZero, constant := true, true
	for _, v := range x {
		f := float64(v)
		sum += f
		sum2 += f * f
		if math.Abs(f) >= railLevel {
			rail++
		}
		q := int(math.Round(math.Max(-32768, math.Min(32767, f*32768))))
		if !seen[q+32768] {
			seen[q+32768] = true
			c.Levels++
		}
		lo, hi = min(lo, q), max(hi, q)
		if v != 0 {
			allZero = false
		}
		if v != x[0] {
			constant = false
		}
	}
	n := float64(len(x))
	mean := sum / n
	c.ACLevelDBFS = DB(sum2/n - mean*mean)
	c.RailPercent = 100 * float64(rail) / n
	c.GapMS, c.LongestGapMS, c.LeadMS = zeroGaps(x)
	if c.Fault != FaultNone {
		return c
	}
	live := 1 - c.LeadMS/(1000*c.Seconds)
	switch {
	case allZero:
		c.Fault = FaultSilent
	case constant:
		c.Fault = FaultConstant
	case (c.ACLevelDBFS < deadBelowDBFS || hi-lo <= lsbNoiseSpan) && DB(mean*mean) > constantDCMinDBFS:
		c.Fault = FaultConstant
	case c.ACLevelDBFS < deadBelowDBFS || hi-lo <= lsbNoiseSpan:
		c.Fault = FaultNearSilent
	case c.RailPercent >= railBrokenPercent:
		c.Fault = FaultRail
	case c.Levels <= sparseMaxLevels && hi-lo >= sparseMinSpanLSB:
		c.Fault = FaultSparse
	case live < 1-leadMaxShare:
		c.Fault = FaultShort
	case 100*c.GapMS/(1000*c.Seconds) > gapMaxPercent || c.LongestGapMS >= gapMaxLongestMS:
		c.Fault = FaultGaps
	}
	return c
}

// zeroGaps sums the runs of exact zeros of at least gapMinMS after the first
// non-zero sample; the run before it (a device starting up) is lead.
func zeroGaps(x []float32) (total, longest, lead float64) {
	minRun := int(gapMinMS * SampleRate / 1000)
	i := 0
	for i < len(x) && x[i] == 0 {
		i++
	}
	if i == len(x) {
		return 0, 0, 0 // all zero: silent, not gaps
	}
	lead = float64(i) * 1000 / SampleRate
	run := 0
	flush := func() {
		if run >= minRun {
			ms := float64(run) * 1000 / SampleRate
			total += ms
			longest = math.Max(longest, ms)
		}
		run = 0
	}
	for ; i < len(x); i++ {
		if x[i] == 0 {
			run++
			continue
		}
		flush()
	}
	flush()
	return total, longest, lead
}
