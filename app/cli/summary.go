package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/homeshore/homeshore/sip"
)

// summary is the one JSON object "call" and "answer" print with --json;
// its fields are documented in docs/cli.md and must stay stable.
type summary struct {
	Result          string  `json:"result"` // "ok" or "failed"
	Error           string  `json:"error,omitempty"`
	StatusCode      int     `json:"status_code,omitempty"`
	Direction       string  `json:"direction"`
	Remote          string  `json:"remote"`
	CallID          string  `json:"call_id,omitempty"`
	Answered        bool    `json:"answered"`
	Codec           string  `json:"codec,omitempty"`
	SRTP            string  `json:"srtp,omitempty"` // crypto suite when the media was encrypted
	SetupMs         float64 `json:"setup_ms,omitempty"`
	DurationS       float64 `json:"duration_s"`
	PacketsSent     uint64  `json:"packets_sent"`
	PacketsReceived uint64  `json:"packets_received"`
	PacketsLost     uint64  `json:"packets_lost"`
	LossPercent     float64 `json:"loss_percent"`
	JitterMs        float64 `json:"jitter_ms"`
	JitterBufferMs  float64 `json:"jitter_buffer_ms"`
	RTTMs           float64 `json:"rtt_ms"`
	MOS             float64 `json:"mos"`
	RFactor         float64 `json:"r_factor"`
	FECRecovered    uint64  `json:"fec_recovered"`
	Concealed       uint64  `json:"concealed"`
	PeerLossPercent float64 `json:"peer_loss_percent"`       // loss the far end reports on what we send
	FECLossPercent  int     `json:"fec_loss_percent"`        // loss our Opus FEC was last tuned for
	DuplicatesSent  uint64  `json:"duplicates_sent"`         // packets sent again (or as RED) against bursty loss
	Relatches       uint64  `json:"relatches"`               // times the far end's RTP source moved and we followed
	ReceiveError    string  `json:"receive_error,omitempty"` // why audio reception stopped mid-call
	DTMFReceived    string  `json:"dtmf_received"`
	HangupBy        string  `json:"hangup_by,omitempty"`
	Transferred     bool    `json:"transferred,omitempty"`
	// AudioProcessing is what cleaned the sent audio: "ns+agc+aec" (or part
	// of it), "off", or "unavailable" in a build without the DSP library.
	AudioProcessing string `json:"audio_processing,omitempty"`
}

func (s *summary) fill(c *sip.Call) {
	end := c.End()
	s.CallID = c.CallID()
	s.Remote = c.Remote()
	s.Codec = c.Codec()
	s.HangupBy = end.By
	s.Answered = end.Answered || !c.AnsweredAt().IsZero()
	s.Transferred = end.Transferred
	s.DTMFReceived = c.DTMFReceived()
	if at := c.AnsweredAt(); !at.IsZero() {
		s.DurationS = round(time.Since(at).Seconds(), 2)
	}
	st := c.Stats()
	s.PacketsSent, s.PacketsReceived, s.PacketsLost = st.PacketsSent, st.PacketsReceived, st.PacketsLost
	s.LossPercent, s.JitterMs, s.RTTMs = round(st.LossPercent, 2), round(st.JitterMs, 2), round(st.RTTMs, 2)
	s.JitterBufferMs = round(st.JitterBufferMs, 1)
	s.MOS, s.RFactor = round(st.MOS, 2), round(st.RFactor, 1)
	s.FECRecovered, s.Concealed = st.FECRecovered, st.Concealed
	s.Relatches, s.ReceiveError = st.Relatches, st.ReceiveError
	s.PeerLossPercent, s.FECLossPercent, s.DuplicatesSent = round(st.PeerLossPercent, 2), st.FECLossPercent, st.DuplicatesSent
	s.SRTP = st.SRTP
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

func (s summary) human() string {
	return fmt.Sprintf("call with %s: %s, %.1f s, %d packets sent, %d received, loss %.1f %%, jitter %.1f ms, MOS %.2f, hung up by %s",
		s.Remote, s.Codec, s.DurationS, s.PacketsSent, s.PacketsReceived, s.LossPercent, s.JitterMs, s.MOS, s.HangupBy)
}

func writeSummary(w io.Writer, s summary, err error) error {
	s.Result = "ok"
	if err != nil {
		s.Result = "failed"
		s.Error = oneLine(err)
		var se *sip.StatusError
		if errors.As(err, &se) {
			s.StatusCode = se.Code
		}
	}
	enc := json.NewEncoder(w)
	return enc.Encode(s)
}
