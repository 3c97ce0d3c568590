//go:build cgo

package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// The loss the peer reports in RTCP reaches the Opus encoder's loss hint
// (never below minOpusLossPerc, so FEC is always carried).
func TestReceiverReportFeedsOpusLossHint(t *testing.T) {
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	s := newTestSession(t)
	codec, _ := LookupCodec("opus")
	enc, err := newEncoder(codec, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.params = SessionParams{Remote: netip.AddrPortFrom(loopback, 9), Codec: codec}
	s.remote, s.enc = s.params.Remote, enc
	sd := &sender{s: s, src: Silence(), enc: enc}
	sd.pkt.Version = 2
	now := time.Now()
	for _, c := range []struct {
		fraction uint8
		want     int
	}{{0, minOpusLossPerc}, {64, 25}, {2, minOpusLossPerc}, {255, 99}} {
		s.useReports([]rtcp.ReceptionReport{{SSRC: s.ssrc, FractionLost: c.fraction}}, now)
		sd.sendFrame(now)
		if got := enc.(*opusEncoder).loss; got != c.want {
			t.Fatalf("fraction %d/256: loss hint %d%%, want %d%%", c.fraction, got, c.want)
		}
	}
	// Reports about other sources are not ours.
	s.useReports([]rtcp.ReceptionReport{{SSRC: s.ssrc + 1, FractionLost: 128}}, now)
	sd.sendFrame(now)
	if got := enc.(*opusEncoder).loss; got != 99 {
		t.Fatalf("foreign report changed the hint to %d", got)
	}
}
