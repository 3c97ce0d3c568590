package media

import (
	"math"
	"time"

	"github.com/pion/rtcp"
)

// Receiver statistics (RFC 3550 A.1, A.3, A.8) and RTCP reports.

type rxStats struct {
	started   bool
	ssrc      uint32
	baseSeq   uint32
	maxSeq    uint16
	cycles    uint32
	received  uint64
	expPrior  uint64
	recPrior  uint64
	transit   int64
	haveTrans bool
	jitter    float64 // RFC 3550 interarrival jitter, timestamp units
	clockRate uint32

	lsr     uint32 // middle 32 bits of the last SR's NTP time
	lsrTime time.Time

	// Counts of the sources heard before this one (a new SSRC after a
	// re-anchoring or failover starts new RFC 3550 counts; the call's
	// totals go on).
	prevReceived, prevExpected, prevLost uint64

	// Which packets of the current report interval arrived, by extended
	// sequence number modulo lossMapSize, for the RTCP XR loss RLE.
	lossMap  [lossMapSize / 64]uint64
	mapStart uint64 // first extended sequence number of the interval
}

// lossMapSize bounds the packets one XR loss report describes (20 s).
const lossMapSize = 1024

// rleHoldBack is how many of the newest packets an XR loss report leaves
// to the next one (100 ms: reordered packets arrive by then).
const rleHoldBack = 5

func (r *rxStats) update(ssrc uint32, seq uint16, ts uint32, audio bool, arrival time.Time, clockRate uint32) {
	if !r.started || ssrc != r.ssrc {
		pr, pe, pl := r.totalReceived(), r.totalExpected(), r.totalLost()
		*r = rxStats{started: true, ssrc: ssrc, baseSeq: uint32(seq), maxSeq: seq, clockRate: clockRate,
			prevReceived: pr, prevExpected: pe, prevLost: pl, mapStart: uint64(seq)}
	}
	r.received++
	oldMax := r.extMax()
	if delta := seq - r.maxSeq; delta != 0 && delta < 0x8000 {
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	}
	r.markReceived(seq, oldMax)
	if !audio || clockRate == 0 {
		return
	}
	if clockRate != r.clockRate {
		r.clockRate, r.haveTrans, r.jitter = clockRate, false, 0
	}
	// Arrival time in timestamp units; only differences matter.
	arr := arrival.UnixNano() / 1000 * int64(clockRate) / 1e6
	transit := arr - int64(ts)
	if r.haveTrans {
		d := transit - r.transit
		// Timestamp wrap shows up as a jump of 2^32; fold it back.
		d = int64(int32(d))
		r.jitter += (math.Abs(float64(d)) - r.jitter) / 16
	}
	r.transit, r.haveTrans = transit, true
}

// markReceived notes seq in the loss map; oldMax is the highest extended
// sequence number before this packet.
func (r *rxStats) markReceived(seq uint16, oldMax uint64) {
	ext := r.extMax()
	if uint16(ext) != seq {
		// An older packet: place it below the maximum.
		ext -= uint64(uint16(ext) - seq)
	}
	for e := oldMax + 1; e < ext && e+lossMapSize > ext; e++ {
		r.lossMap[e%lossMapSize/64] &^= 1 << (e % 64) // skipped: not (yet) received
	}
	if ext+lossMapSize <= r.extMax() || ext < r.mapStart {
		return // too old for this interval
	}
	r.lossMap[ext%lossMapSize/64] |= 1 << (ext % 64)
}

// lossRLE describes the interval's packets as an RTCP XR loss RLE block
// (RFC 3611 4.1) and starts a new interval.
func (r *rxStats) lossRLE() *rtcp.LossRLEReportBlock {
	// The newest packets wait for the next report: some of the ones
	// before them may still be on their way (reordering), and a packet
	// counted lost here would read as a longer burst.
	end := r.extMax() + 1 - min(r.extMax()+1-r.mapStart, rleHoldBack)
	if end < r.mapStart {
		end = r.mapStart
	}
	begin := max(r.mapStart, end-min(end, lossMapSize))
	r.mapStart = end
	if !r.started || begin >= end {
		return nil
	}
	b := &rtcp.LossRLEReportBlock{SSRC: r.ssrc, BeginSeq: uint16(begin), EndSeq: uint16(end)}
	run, got := uint64(0), false
	flush := func() {
		for run > 0 {
			n := min(run, 0x3fff)
			c := rtcp.Chunk(n)
			if got {
				c |= 1 << 14
			}
			b.Chunks = append(b.Chunks, c)
			run -= n
		}
	}
	for e := begin; e < end; e++ {
		bit := r.lossMap[e%lossMapSize/64]&(1<<(e%64)) != 0
		if run > 0 && bit != got {
			flush()
		}
		got = bit
		run++
	}
	flush()
	if len(b.Chunks)%2 == 1 {
		b.Chunks = append(b.Chunks, 0) // pad to 32 bits with a null chunk
	}
	return b
}

// lossRuns counts the lost packets and the runs they form in a loss RLE
// block.
func lossRuns(b *rtcp.LossRLEReportBlock) (lost, runs int) {
	for _, c := range b.Chunks {
		switch c.Type() {
		case rtcp.RunLengthChunkType:
			if t, _ := c.RunType(); t == 0 && c.Value() > 0 {
				lost += int(c.Value())
				runs++
			}
		case rtcp.BitVectorChunkType:
			prev := true
			for i := 14; i >= 0; i-- {
				received := c.Value()&(1<<i) != 0
				if !received {
					lost++
					if prev {
						runs++
					}
				}
				prev = received
			}
		}
	}
	return lost, runs
}

func (r *rxStats) extMax() uint64 { return uint64(r.cycles) + uint64(r.maxSeq) }

func (r *rxStats) expected() uint64 {
	if !r.started {
		return 0
	}
	return r.extMax() - uint64(r.baseSeq) + 1
}

func (r *rxStats) lost() uint64 {
	exp := r.expected()
	if r.received >= exp {
		return 0
	}
	return exp - r.received
}

// Totals over every source of the call.
func (r *rxStats) totalReceived() uint64 { return r.prevReceived + r.received }
func (r *rxStats) totalExpected() uint64 { return r.prevExpected + r.expected() }
func (r *rxStats) totalLost() uint64     { return r.prevLost + r.lost() }

// lossPercent is the call's loss so far, over every source.
func (r *rxStats) lossPercent() float64 {
	exp := r.totalExpected()
	if exp == 0 {
		return 0
	}
	return 100 * float64(r.totalLost()) / float64(exp)
}

func (r *rxStats) jitterDuration() time.Duration {
	if r.clockRate == 0 {
		return 0
	}
	return time.Duration(r.jitter / float64(r.clockRate) * float64(time.Second))
}

// report makes the reception report block and starts a new interval.
func (r *rxStats) report(now time.Time) (rtcp.ReceptionReport, bool) {
	if !r.started {
		return rtcp.ReceptionReport{}, false
	}
	exp := r.expected()
	expInt := exp - min(r.expPrior, exp)
	recInt := r.received - min(r.recPrior, r.received)
	r.expPrior, r.recPrior = exp, r.received
	var fraction uint8
	if expInt > 0 && expInt > recInt {
		fraction = uint8(min((expInt-recInt)<<8/expInt, 255))
	}
	rr := rtcp.ReceptionReport{
		SSRC:               r.ssrc,
		FractionLost:       fraction,
		TotalLost:          uint32(min(r.lost(), 0x7fffff)),
		LastSequenceNumber: uint32(r.extMax()),
		Jitter:             uint32(r.jitter),
	}
	if r.lsr != 0 {
		rr.LastSenderReport = r.lsr
		rr.Delay = uint32(now.Sub(r.lsrTime).Seconds() * 65536)
	}
	return rr, true
}

// ntpTime converts t to the 64-bit NTP format.
func ntpTime(t time.Time) uint64 {
	const ntpEpochOffset = 2208988800 // seconds from 1900 to 1970
	ns := t.UnixNano()
	sec := uint64(ns/1e9) + ntpEpochOffset
	frac := uint64(ns%1e9) << 32 / 1e9
	return sec<<32 | frac
}

func ntpMiddle(ntp uint64) uint32 { return uint32(ntp >> 16) }

// rttFromReport computes the round trip from a report block about our
// stream (RFC 3550 6.4.1); ok is false when the peer has no SR of ours yet.
func rttFromReport(rr rtcp.ReceptionReport, now time.Time) (time.Duration, bool) {
	if rr.LastSenderReport == 0 {
		return 0, false
	}
	a := ntpMiddle(ntpTime(now))
	d := int64(int32(a - rr.LastSenderReport - rr.Delay))
	if d < 0 {
		return 0, false
	}
	return time.Duration(d) * time.Second / 65536, true
}
