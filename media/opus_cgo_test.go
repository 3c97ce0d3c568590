//go:build cgo

package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// The loss the peer reports in RTCP reaches the Opus encoder's loss hint
// and bitrate through the loss adaptation (never below minOpusLossPerc,
// so FEC is always carried); reports about other sources change nothing.
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
	sd.sendFrame(now)
	if got := enc.(*opusEncoder).loss; got != initialLossPerc {
		t.Fatalf("before any report: loss hint %d%%, want %d%%", got, initialLossPerc)
	}
	ext, lost := uint32(1000), uint32(0)
	for _, c := range []struct {
		lostOf100 uint32
		want      int
	}{{0, minOpusLossPerc}, {6, 8}, {0, minOpusLossPerc}, {7, 10}} {
		ext += 100
		lost += c.lostOf100
		s.useReports([]rtcp.ReceptionReport{{SSRC: s.ssrc, LastSequenceNumber: ext, TotalLost: lost, FractionLost: uint8(c.lostOf100 * 256 / 100)}}, now)
		sd.sendFrame(now)
		if got := enc.(*opusEncoder).loss; got != c.want {
			t.Fatalf("%d of 100 lost: loss hint %d%%, want %d%%", c.lostOf100, got, c.want)
		}
	}
	s.useReports([]rtcp.ReceptionReport{{SSRC: s.ssrc + 1, LastSequenceNumber: ext + 100, TotalLost: lost + 50}}, now)
	sd.sendFrame(now)
	if got := enc.(*opusEncoder).loss; got != 10 {
		t.Fatalf("a report about another source changed the hint to %d", got)
	}
}
