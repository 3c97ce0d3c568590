package media

import "time"

// Stats are the call-quality figures of a Session, for the agent's screen,
// the wrap-up record and `homeshore call --json`.
type Stats struct {
	Codec                                     string
	PacketsSent, PacketsReceived, PacketsLost uint64
	LossPercent, JitterMs, RTTMs              float64 // RTTMs is 0 until the peer's first RTCP report
	RFactor, MOS                              float64
	FECRecovered, Concealed                   uint64 // frames rebuilt from Opus FEC / guessed by PLC
}

// EModel is the simplified ITU-T G.107 E-model: R-factor and MOS from the
// one-way latency, jitter and loss.
func EModel(oneWay, jitter time.Duration, lossPercent float64) (r, mos float64) {
	eff := float64(oneWay+2*jitter)/float64(time.Millisecond) + 10
	if eff < 160 {
		r = 93.2 - eff/40
	} else {
		r = 93.2 - (eff-120)/10
	}
	r -= 2.5 * lossPercent
	r = min(max(r, 0), 100)
	mos = 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	return r, min(max(mos, 1), 4.5)
}
