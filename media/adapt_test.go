package media

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// adaptFeed drives a lossAdapter with reports of 250 packets each (5 s).
type adaptFeed struct {
	a                *lossAdapter
	ext              uint32
	lost             int32
	sent, dups       uint64
	now              time.Time
	dupRatioSentNext float64
}

// report says that of the next 250 sequence numbers the path lost a
// share pathLoss of every copy we sent (duplicates included, counted as
// received the way RFC 3550 receivers count them).
func (f *adaptFeed) report(pathLoss float64) sendPlan {
	const n = 250
	ratio := 0.0
	if f.a.current().dupDelay > 0 {
		ratio = 1
	}
	copies := float64(n) * (1 + ratio)
	received := copies * (1 - pathLoss)
	f.ext += n
	f.lost += int32(float64(n) - received)
	f.sent += n
	f.dups += uint64(float64(n) * ratio)
	f.now = f.now.Add(5 * time.Second)
	fraction := max(0, float64(n)-received) / n
	f.a.onReport(rtcp.ReceptionReport{LastSequenceNumber: f.ext, TotalLost: uint32(f.lost) & 0xffffff, FractionLost: uint8(min(255, fraction*256))}, f.sent, f.dups, f.now)
	return f.a.current()
}

// Random loss raises FEC and bitrate, and heavy loss without burst figures
// starts duplication; the path loss is still measured while duplicates
// make the receiver count more packets than were expected; a clean path
// stops duplication after two reports and brings FEC back to its floor.
func TestLossAdapterFollowsReports(t *testing.T) {
	f := &adaptFeed{a: newLossAdapter(32000), now: time.Unix(1_700_000_000, 0)}
	if p := f.a.current(); p.fecPerc != initialLossPerc || p.bitrate != 32000 || p.dupDelay != 0 {
		t.Fatalf("initial plan %+v", p)
	}
	if p := f.report(0); p.fecPerc != minOpusLossPerc || p.dupDelay != 0 {
		t.Fatalf("clean: %+v", p)
	}
	if p := f.report(0.05); p.fecPerc != 7 || p.bitrate <= 32000 || p.dupDelay != 0 {
		t.Fatalf("5%% random: %+v", p)
	}
	p := f.report(0.12)
	if p.dupDelay != blindDupDelay || p.fecPerc != 16 || p.bitrate != 44000 {
		t.Fatalf("12%% without burst figures: %+v", p)
	}
	// Duplicating now: the receiver counts both copies.
	p = f.report(0.12)
	if lp, _ := f.a.lossFigures(); lp < 11 || lp > 13 {
		t.Fatalf("path loss while duplicating read as %.1f %%", lp)
	}
	if p.dupDelay == 0 {
		t.Fatal("duplication stopped while the path still loses 12 %")
	}
	f.report(0)
	if p := f.report(0); p.dupDelay != 0 {
		t.Fatalf("two clean reports: %+v", p)
	}
	for range 6 {
		p = f.report(0)
	}
	if p.fecPerc != minOpusLossPerc || p.bitrate != 32000 {
		t.Fatalf("clean again: %+v", p)
	}
}

// Burst figures from XR loss runs start duplication at lower loss, at the
// widest spacing from the first bursty report; random runs (mean 1) do not.
func TestLossAdapterBursts(t *testing.T) {
	f := &adaptFeed{a: newLossAdapter(32000), now: time.Unix(1_700_000_000, 0)}
	f.report(0.04)
	f.a.onLossRuns(10, 10, f.now)
	if p := f.a.current(); p.dupDelay != 0 {
		t.Fatalf("4%% random loss duplicates: %+v", p)
	}
	f.a.onLossRuns(20, 10, f.now)
	if p := f.a.current(); p.dupDelay != maxDupDelay {
		t.Fatalf("4%% loss in bursts of 2: %+v, want copies %d frames later at once (no spacing that creeps up report by report)", p, maxDupDelay)
	}
	f.a.onLossRuns(40, 10, f.now)
	if p := f.a.current(); p.dupDelay != maxDupDelay {
		t.Fatalf("bursts of 4 after bursts of 2: %+v, want the spacing kept at %d frames", p, maxDupDelay)
	}
	// Loss runs of one at 5 %: random, FEC's job; from 8 % copies help.
	f.report(0.05)
	f.a.onLossRuns(25, 24, f.now)
	if p := f.a.current(); p.dupDelay != 0 {
		t.Fatalf("5%% random loss duplicates: %+v", p)
	}
	f.report(0.10)
	if p := f.a.current(); p.dupDelay != minDupDelay {
		t.Fatalf("10%% random loss: %+v, want copies %d frames later", p, minDupDelay)
	}
}

// The XR loss RLE we send describes which packets of the interval came,
// and reads back as the same losses and runs.
func TestLossRLERoundTrip(t *testing.T) {
	var r rxStats
	t0 := time.Unix(1000, 0)
	lost := map[uint16]bool{65533: true, 2: true, 3: true, 4: true, 10: true}
	for seq := uint16(65530); seq != 20; seq++ {
		if !lost[seq] {
			r.update(5, seq, uint32(seq)*960, true, t0, 48000)
		}
	}
	r.update(5, 7, 7*960, true, t0, 48000) // a duplicate
	b := r.lossRLE()
	if b == nil || b.BeginSeq != 65530 || b.EndSeq != 15 { // the newest 5 wait for the next report
		t.Fatalf("block %+v", b)
	}
	pkt := &rtcp.ExtendedReport{SenderSSRC: 1, Reports: []rtcp.ReportBlock{b}}
	wire, err := pkt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var back rtcp.ExtendedReport
	if err := back.Unmarshal(wire); err != nil {
		t.Fatal(err)
	}
	got := back.Reports[0].(*rtcp.LossRLEReportBlock)
	if l, runs := lossRuns(got); l != 5 || runs != 3 {
		t.Fatalf("read back %d lost in %d runs (%v), want 5 in 3", l, runs, got.Chunks)
	}
	if r.lossRLE() != nil {
		t.Fatal("a second report without new packets")
	}
}
