package media

import (
	"math"
	"sync"
	"time"

	"github.com/pion/rtcp"
)

// Loss adaptation: what the peer's reports say about the path our packets
// take sets how much redundancy we send.
//
//   - Opus in-band FEC strength follows the path loss (with a floor, and a
//     higher start value until the first report: Opus sends no FEC at 0 %),
//     and the bitrate rises with it so the main layer keeps its quality
//     while FEC takes its share.
//   - Time-diverse redundancy (each frame sent again dupDelay frames
//     later: in an RFC 2198 RED block when negotiated, else as a duplicate
//     packet to a peer that sends XR) covers bursts that FEC, which rides
//     in the next packet only, cannot: it starts when the loss is bursty
//     (from RTCP XR loss runs when the peer sends them) or, without burst
//     figures, heavy; it stops once the reports show a clean path again.
//     Bursty loss gets the widest spacing from the first report that shows
//     it.
//
// The path loss is measured even while we duplicate: a receiver counts
// duplicates as received (RFC 3550 A.3), so the cumulative-loss delta of
// a report, with our own duplication ratio over the same span, gives the
// loss each copy suffered.
const (
	// minOpusLossPerc keeps in-band FEC carrying data on a clean path:
	// Opus sends no FEC at all when told 0 %.
	minOpusLossPerc = 5
	initialLossPerc = 10   // FEC strength until the first report
	fecLossGain     = 1.3  // FEC is tuned a little above the loss seen
	maxFECLossPerc  = 40   // beyond this Opus only spends bits in vain
	lossForFullRate = 0.15 // path loss at which the bitrate boost is full
	dupStartLoss    = 0.03 // duplicate from this loss when it is bursty
	dupStartBlind   = 0.08 // duplicate from this loss when burstiness is unknown
	// dupHeavyLoss: from this much random loss, FEC (one packet back)
	// still leaves p² of the frames lost, a click every second or two;
	// copies two frames later take that to about p³.
	dupHeavyLoss   = 0.08
	dupStopLoss    = 0.01 // a report below this counts as clean
	dupStopReports = 2    // clean reports in a row that stop duplication
	burstyRun      = 1.6  // mean loss run (packets) that counts as bursty
	minDupDelay    = 2    // frames
	maxDupDelay    = 5
	blindDupDelay  = 3
	burstMemory    = 30 * time.Second // how long an XR burst figure is believed
	bitrateStep    = 4000
)

// sendPlan is what the sender does for the next frames.
type sendPlan struct {
	fecPerc  int // Opus expected packet loss, percent
	bitrate  int // Opus bitrate, bit/s
	dupDelay int // frames between a frame and its copy; 0 = no redundancy
	// dupPackets: the copies may go as duplicate packets (the peer sends
	// XR loss runs, so it is one of ours). Otherwise only RFC 2198 RED
	// carries them, when negotiated: baresip 1.0's jitter buffer, for
	// one, plays worse with duplicates than without (docs/BENCHMARKS.md).
	dupPackets bool
}

// lossAdapter turns reports into a sendPlan. Reports arrive on the RTCP
// reader, the sender reads the plan every frame.
type lossAdapter struct {
	mu      sync.Mutex
	base    int // configured Opus bitrate
	maxRate int // cap for the boosted bitrate

	havePrev          bool
	prevExt           uint32
	prevLost          int32
	prevSent, prevDup uint64

	reports int
	loss    float64 // smoothed path loss, 0..1
	burst   float64 // mean loss run from XR, packets; 0 = unknown
	burstAt time.Time
	clean   int
	xrPeer  bool // the peer sends XR loss runs
	plan    sendPlan
}

func newLossAdapter(baseBitrate int) *lossAdapter {
	a := &lossAdapter{base: baseBitrate, maxRate: baseBitrate * 3 / 2}
	a.plan = sendPlan{fecPerc: initialLossPerc, bitrate: baseBitrate}
	return a
}

// current returns the plan in force.
func (a *lossAdapter) current() sendPlan {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.plan
}

// lossFigures returns the smoothed path loss (percent) and burst length.
func (a *lossAdapter) lossFigures() (lossPct, burst float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return 100 * a.loss, a.burst
}

// signed24 reads RFC 3550's 24-bit signed cumulative loss.
func signed24(v uint32) int32 { return int32(v<<8) >> 8 }

// onReport takes a reception report about our stream; sent and dups are
// our packet and duplicate counters at that moment.
func (a *lossAdapter) onReport(rr rtcp.ReceptionReport, sent, dups uint64, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	lost := signed24(rr.TotalLost)
	p := float64(rr.FractionLost) / 256
	if a.havePrev {
		exp := float64(rr.LastSequenceNumber - a.prevExt)
		if exp <= 0 || exp > 1<<15 {
			p = -1 // nothing new (or a restart): keep what we know
		} else {
			received := exp - float64(lost-a.prevLost)
			ratio := 0.0
			if ds := float64(sent - a.prevSent); ds > 0 {
				ratio = min(float64(dups-a.prevDup)/ds, 1)
			}
			p = min(max(1-received/(exp*(1+ratio)), 0), 1)
		}
	}
	a.havePrev = true
	a.prevExt, a.prevLost, a.prevSent, a.prevDup = rr.LastSequenceNumber, lost, sent, dups
	if p < 0 {
		return
	}
	a.reports++
	if p > a.loss || a.reports == 1 {
		a.loss = p // quick to follow worse
	} else {
		a.loss = 0.5*a.loss + 0.5*p // slower to believe better
	}
	if p < dupStopLoss {
		a.clean++
	} else {
		a.clean = 0
	}
	a.replan(now)
}

// onLossRuns takes the loss pattern of an interval from an RTCP XR loss
// RLE report: lost packets and the number of runs they came in.
func (a *lossAdapter) onLossRuns(lost, runs int, now time.Time) {
	if runs == 0 || lost == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.burst, a.burstAt = float64(lost)/float64(runs), now
	a.xrPeer = true
	a.replan(now)
}

func (a *lossAdapter) replan(now time.Time) {
	if !a.burstAt.IsZero() && now.Sub(a.burstAt) > burstMemory {
		a.burst = 0
	}
	// The boost moves in steps of bitrateStep, and none below
	// dupStopLoss, so a fading loss figure does not retune the encoder on
	// every report.
	boost := 0
	if a.loss >= dupStopLoss {
		boost = int(float64(a.base/2)*min(a.loss/lossForFullRate, 1)) / bitrateStep * bitrateStep
	}
	p := sendPlan{
		fecPerc: min(max(int(math.Ceil(a.loss*100*fecLossGain)), minOpusLossPerc), maxFECLossPerc),
		bitrate: min(a.base+boost, a.maxRate),
	}
	dup := a.plan.dupDelay
	switch {
	case dup > 0 && (a.clean >= dupStopReports || a.loss < dupStopLoss):
		dup = 0
	case a.burst >= burstyRun && a.loss >= dupStartLoss:
		// The widest spacing at once: burst lengths are about geometric,
		// so even a mean run of 2 has a tail of runs of 4-5 that a closer
		// copy falls into; and the receiver sizes its buffer to the
		// spacing, so a spacing that crept up report by report made it
		// grow in steps (a glitch and a jump of the delay each), early in
		// the call where a listener notices most.
		dup = maxDupDelay
	case a.burst == 0 && a.loss >= dupStartBlind:
		dup = max(dup, blindDupDelay)
	case a.burst > 0 && a.loss >= dupHeavyLoss:
		dup = max(dup, minDupDelay) // heavy random loss: FEC alone falls short
	case a.burst > 0:
		dup = 0 // random loss, as XR shows: FEC covers single losses
	}
	p.dupDelay, p.dupPackets = dup, a.xrPeer
	a.plan = p
}
