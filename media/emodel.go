package media

import "time"

// Stats are the call-quality figures of a Session, for the agent's screen,
// the wrap-up record and `homeshore call --json`.
type Stats struct {
	Codec           string  `json:"codec"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsReceived uint64  `json:"packets_received"`
	PacketsLost     uint64  `json:"packets_lost"`
	LossPercent     float64 `json:"loss_percent"`
	JitterMs        float64 `json:"jitter_ms"`
	JitterBufferMs  float64 `json:"jitter_buffer_ms"` // time a packet waits in the jitter buffer (smoothed)
	// Delay stage by stage (latency.go); 0 where a device does not say.
	CaptureMs        float64 `json:"capture_ms"`         // the capture device's latency
	SendQueueMs      float64 `json:"send_queue_ms"`      // a captured frame waiting to be sent
	PlayoutMs        float64 `json:"playout_ms"`         // the playback device's latency
	PlayoutUnderruns uint64  `json:"playout_underruns"`  // times the playback device ran out of audio (gaps heard)
	SendLatencyMs    float64 `json:"send_latency_ms"`    // capture + a frame of packetisation + send queue
	ReceiveLatencyMs float64 `json:"receive_latency_ms"` // half the RTT + jitter buffer + playout
	RTTMs            float64 `json:"rtt_ms"`             // 0 until the peer's first RTCP report about us
	RFactor          float64 `json:"r_factor"`
	MOS              float64 `json:"mos"`
	FECRecovered     uint64  `json:"fec_recovered"`           // lost frames rebuilt from Opus in-band FEC
	Concealed        uint64  `json:"concealed"`               // frames guessed by PLC (loss or late packets)
	SRTP             string  `json:"srtp,omitempty"`          // crypto suite when the media is encrypted
	SRTPRejected     uint64  `json:"srtp_rejected,omitempty"` // packets that failed SRTP authentication or replay checks
	// What the peer reports about our stream, and what we send for it.
	PeerLossPercent float64 `json:"peer_loss_percent"`       // path loss our packets suffer (smoothed, from RTCP)
	PeerLossBurst   float64 `json:"peer_loss_burst"`         // mean loss run in packets (RTCP XR); 0 = unknown
	FECLossPercent  int     `json:"fec_loss_percent"`        // loss the Opus FEC is tuned for
	DuplicationMs   int     `json:"duplication_ms"`          // delay of time-diverse duplicates; 0 = off
	DuplicatesSent  uint64  `json:"duplicates_sent"`         // frames sent a second time (duplicate packets or RED blocks)
	Relatches       uint64  `json:"relatches"`               // times the peer's RTP source changed and we followed it
	ReceiveError    string  `json:"receive_error,omitempty"` // why reception stopped (the socket kept failing)
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
