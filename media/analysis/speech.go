package analysis

import "math"

// Active speech level after ITU-T P.56 method B: a two-stage envelope
// (30 ms), activity thresholds every 1 dB with 200 ms hangover, and the
// level at which the active level sits 15.9 dB above the threshold.
const (
	p56Tau      = 0.03
	p56Hangover = 0.2
	p56Margin   = 15.9
)

// Speech is the active speech level of a capture.
type Speech struct {
	ActiveLevelDBFS float64 `json:"active_level_dbfs"`
	ActivityPercent float64 `json:"activity_percent"`
}

// SpeechLevel measures the active speech level; silence returns Floor.
func SpeechLevel(samples []float32) Speech {
	out := Speech{ActiveLevelDBFS: Floor}
	if len(samples) == 0 {
		return out
	}
	const nThr = 100 // thresholds at -100 … -1 dBFS (amplitude)
	g := math.Exp(-1 / (p56Tau * SampleRate))
	hang := int(p56Hangover * SampleRate)
	var thr [nThr]float64
	for j := range thr {
		thr[j] = math.Pow(10, float64(j-nThr)/20)
	}
	var active [nThr]int
	var hangLeft [nThr]int
	var q, p, sq float64
	for _, s := range samples {
		x := float64(s)
		sq += x * x
		q = g*q + (1-g)*math.Abs(x)
		p = g*p + (1-g)*q
		for j := 0; j < nThr; j++ {
			if p >= thr[j] {
				active[j]++
				hangLeft[j] = hang
			} else if hangLeft[j] > 0 {
				active[j]++
				hangLeft[j]--
			} else {
				// thresholds rise with j: none above is active either
				for k := j + 1; k < nThr; k++ {
					if hangLeft[k] > 0 {
						active[k]++
						hangLeft[k]--
					}
				}
				break
			}
		}
	}
	if sq == 0 {
		return out
	}
	diff := func(j int) (float64, float64) { // A_j - C_j and A_j
		if active[j] == 0 {
			return math.Inf(-1), Floor
		}
		a := 10 * math.Log10(sq/float64(active[j]))
		return a - 20*math.Log10(thr[j]), a
	}
	// A_j - C_j falls as j rises; find where it crosses the margin.
	prevD, prevA := diff(0)
	if prevD <= p56Margin {
		out.ActiveLevelDBFS, out.ActivityPercent = prevA, 100*float64(active[0])/float64(len(samples))
		return out
	}
	for j := 1; j < nThr; j++ {
		d, a := diff(j)
		if d <= p56Margin {
			t := (prevD - p56Margin) / (prevD - d)
			if math.IsInf(d, -1) {
				t = 0
			}
			out.ActiveLevelDBFS = prevA + t*(a-prevA)
			if math.IsInf(d, -1) {
				out.ActiveLevelDBFS = prevA
			}
			act := float64(active[j-1]) + t*float64(active[j]-active[j-1])
			out.ActivityPercent = 100 * act / float64(len(samples))
			return out
		}
		prevD, prevA = d, a
	}
	out.ActiveLevelDBFS, out.ActivityPercent = prevA, 100*float64(active[nThr-1])/float64(len(samples))
	return out
}
