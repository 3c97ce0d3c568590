package media

import (
	"math"
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// Receiver statistics across a sequence wrap and a timestamp wrap, with
// one packet lost, a duplicate, and arrivals 5 ms late every other packet.
func TestRxStatsWrapLossJitter(t *testing.T) {
	var r rxStats
	t0 := time.Unix(1000, 0)
	seq, ts := uint16(65530), uint32(0xffffffff-3*160)
	for i := range 20 {
		arrival := t0.Add(time.Duration(i) * FrameDuration)
		if i%2 == 1 {
			arrival = arrival.Add(5 * time.Millisecond)
		}
		if i != 7 { // lost
			r.update(42, seq, ts, true, arrival, 8000)
		}
		if i == 3 { // duplicate
			r.update(42, seq, ts, true, arrival, 8000)
		}
		seq++
		ts += 160
	}
	if got := r.expected(); got != 20 {
		t.Fatalf("expected %d packets, want 20", got)
	}
	// 19 distinct arrived plus one duplicate: RFC 3550 counts 20 received
	// and so no loss; that is what peers will report too.
	if r.received != 20 || r.lost() != 0 {
		t.Fatalf("received %d lost %d", r.received, r.lost())
	}
	if r.extMax() != 1<<16+13 {
		t.Fatalf("extended max %d", r.extMax())
	}
	// |D| alternates 40 ticks (5 ms at 8 kHz), so J converges towards 40
	// ticks = 5 ms; after ~20 packets it is well on its way.
	j := r.jitterDuration()
	if j < 2*time.Millisecond || j > 5*time.Millisecond {
		t.Fatalf("jitter %v", j)
	}
}

func TestRxStatsReportFractionLost(t *testing.T) {
	var r rxStats
	t0 := time.Unix(1000, 0)
	for i := range 100 {
		if i%4 != 1 { // 25 % lost
			r.update(7, uint16(i), uint32(160*i), true, t0.Add(time.Duration(i)*FrameDuration), 8000)
		}
	}
	rr, ok := r.report(t0)
	if !ok {
		t.Fatal("no report")
	}
	if rr.SSRC != 7 || rr.TotalLost != 25 || rr.FractionLost != 64 {
		t.Fatalf("report %+v", rr)
	}
	if math.Abs(r.lossPercent()-25) > 1e-9 {
		t.Fatalf("loss %.2f%%", r.lossPercent())
	}
	// Next interval without loss reports 0.
	for i := 100; i < 110; i++ {
		r.update(7, uint16(i), uint32(160*i), true, t0, 8000)
	}
	if rr, _ := r.report(t0); rr.FractionLost != 0 {
		t.Fatalf("second interval fraction %d", rr.FractionLost)
	}
}

func TestRTTFromReport(t *testing.T) {
	sent := time.Unix(1_700_000_000, 250_000_000)
	lsr := ntpMiddle(ntpTime(sent))
	// The peer held our SR for 1.5 s; the answer arrives 1.58 s after we
	// sent it: 80 ms round trip.
	rr := rtcp.ReceptionReport{LastSenderReport: lsr, Delay: uint32(1.5 * 65536)}
	rtt, ok := rttFromReport(rr, sent.Add(1580*time.Millisecond))
	if !ok || rtt < 79*time.Millisecond || rtt > 81*time.Millisecond {
		t.Fatalf("rtt %v %v, want 80 ms", rtt, ok)
	}
	if _, ok := rttFromReport(rtcp.ReceptionReport{}, sent); ok {
		t.Fatal("RTT from a report without LSR")
	}
}

func TestNTPTime(t *testing.T) {
	ntp := ntpTime(time.Unix(0, 500_000_000))
	if ntp>>32 != 2208988800 || uint32(ntp) != 1<<31 {
		t.Fatalf("ntp %x", ntp)
	}
}
