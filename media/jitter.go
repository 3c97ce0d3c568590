package media

import (
	"math"
	"time"
)

// Adaptive jitter buffer. Packets are ordered by extended RTP sequence
// number; playout pulls one packet per frame. The target depth follows the
// measured interarrival jitter: an underrun stalls playout (adds one frame
// of delay) and a surplus that lasts a whole window drops one frame.

const (
	jbSlots        = 64 // power of two; 1.28 s of 20 ms packets
	maxPayloadSize = 1500
	// jbMinFrames is the least depth: on a clean path a packet is played
	// at the first frame after it arrived. What makes that safe is that
	// the buffer only trims when the packets it played all waited a frame
	// and jbTrimMargin more (trimWait): a machine whose scheduling jitters
	// keeps the deeper buffer it grew into.
	jbMinFrames    = 1
	jbJitterMargin = 5 * time.Millisecond
	// jbTrimMargin is the least wait a packet keeps after a trim; twice
	// the interarrival jitter is added to it.
	jbTrimMargin = 3 * time.Millisecond
	// jbFECFrames is the depth kept while packets get lost: with the
	// packet after a lost one in the buffer, its in-band FEC rebuilds it.
	jbFECFrames = 2
	jbLateStep  = 1 // frames the target may grow per late packet
	// jbLateAbove bounds how far late packets take the target beyond what
	// the measured jitter asks for: reordering on a jittery path makes
	// late packets now and then at any depth, and chasing each one would
	// pile up delay (concealing one is cheaper).
	jbLateAbove = 2
	// jbFarAbove is the depth beyond the target that is trimmed at once.
	jbFarAbove  = 2
	jbMaxFrames = 10 // 200 ms
	jbWindow    = 50 // pops (1 s) over which the minimum depth is judged
	jbIdleReset = 300 * time.Millisecond
	// jbHeadReach bounds how far the sender's position is extrapolated
	// past the newest packet (a pause in sending is not a burst).
	jbHeadReach   = int(jbIdleReset / FrameDuration)
	jbJumpLimit   = 4 * jbSlots // larger sequence jumps need confirmation
	jbShrinkEvery = 5           // pops between two dropped frames when trimming
)

type popKind int

const (
	popSilence  popKind = iota // nothing to play: not started, idle, or a DTMF packet
	popPacket                  // cur holds the payload
	popLost                    // the packet is missing; nxt holds the following payload if any
	popUnderrun                // ran dry: conceal and wait, adding a frame of delay
)

func (k popKind) String() string {
	return [...]string{"silence", "packet", "lost", "underrun"}[k]
}

type jbSlot struct {
	used    bool
	played  bool      // seq was played from this packet (a later copy is a duplicate)
	at      time.Time // when it arrived
	silent  bool      // a telephone-event packet: occupies a sequence number, no audio
	copy    bool      // came as a RED block (redundancy), not as its own packet
	seq     uint64
	n       int
	payload [maxPayloadSize]byte
}

type jbStats struct {
	Late, Duplicate, Resets, Dropped, Underruns uint64
	// Skipped counts missing packets whose time an underrun had already
	// filled (a loss burst seen as a stall), skipped instead of concealed
	// a second time.
	Skipped uint64
}

type jitterBuffer struct {
	slots   [jbSlots]jbSlot
	haveSrc bool
	ssrc    uint32
	maxSeq  uint64 // highest extended sequence number buffered or played
	next    uint64 // next extended sequence number to play
	count   int    // packets buffered
	playing bool
	played  bool   // something was played since the last reset: next is meaningful
	probe   uint16 // candidate restart after a big sequence jump
	probing bool

	firstArrival, lastArrival time.Time
	// headSeq arrived at headAt as the newest packet expected by then:
	// the sender's position is estimated from it (estHead).
	headSeq uint64
	headAt  time.Time

	target    int // max(jitterTgt, lateTgt, redTgt)
	jitterTgt int // from the interarrival jitter
	lateTgt   int // from packets that came after a stall waited for them
	redTgt    int // one frame beyond the distance of the sender's redundancy
	redAt     time.Time
	copyD     int  // spacing of the last duplicates, frames
	copyVotes int  // duplicates in a row at copyD
	redundant bool // the packet being pushed is a RED block
	lateAt    time.Time
	winMin    int
	winWait   time.Duration // least wait of a packet played in this window
	lastWait  time.Duration // same, over the previous window
	jitter    time.Duration // interarrival jitter, as last set
	quiet     bool          // what was played last is a pause (SetQuiet)
	dueSince  time.Time     // when a trim became due, while it waits for a pause
	trimmedAt uint64        // pops at the last trim
	winPops   int
	surplus   int     // frames still to drop
	pops      uint64  // frames popped while playing
	stalled   int     // underrun frames since the last packet played
	growing   int     // of which frames waited on purpose, to grow to the target
	waitAvg   float64 // seconds a played packet waited in the buffer, smoothed
	stats     jbStats
	minFrames int
	maxFrames int
}

func newJitterBuffer() *jitterBuffer {
	return &jitterBuffer{target: jbMinFrames, jitterTgt: jbMinFrames, minFrames: jbMinFrames, maxFrames: jbMaxFrames,
		winMin: math.MaxInt, winWait: jbNoWait, lastWait: jbNoWait}
}

// SetJitter adapts the target depth to the interarrival jitter (RFC 3550)
// so that about three jitter deviations (and a small margin) fit in the
// buffer: jbMinFrames on a clean path, more only as the jitter grows.
// Packets that still come too late raise it further (noteLate).
func (jb *jitterBuffer) SetJitter(j time.Duration) {
	jb.jitter = j
	frames := int(math.Ceil(float64(3*j+jbJitterMargin) / float64(FrameDuration)))
	jb.jitterTgt = min(max(frames, jb.minFrames), jb.maxFrames)
	jb.retarget()
}

func (jb *jitterBuffer) retarget() {
	jb.target = min(max(jb.jitterTgt, jb.lateTgt, jb.redTgt, jb.minFrames), jb.maxFrames)
}

// SetRedundancy says the sender repeats each frame d frames later (RED
// blocks, duplicate packets): the buffer holds d+1 frames while it does,
// so a burst of up to d lost packets is played from the copies.
func (jb *jitterBuffer) SetRedundancy(d int, now time.Time) {
	if d <= 0 || d >= jbSlots/2 {
		return
	}
	// The largest spacing seen while redundancy lasts: copies at several
	// spacings (a sender that changed it) are all caught.
	jb.redTgt, jb.redAt = max(jb.redTgt, d+1), now
	jb.retarget()
}

// jbRedundancyHold is how long redundancy is assumed after its last copy
// (the sender stops it on a clean path).
const jbRedundancyHold = 2 * time.Second

// jbLateHold is how long a depth that late packets asked for is kept
// before it shrinks by a frame (time-diverse duplicates or a delay spike
// come back at that pace).
const jbLateHold = 10 * time.Second

// noteLate raises the target to need frames: a packet came late (or the
// copy of a lost one came), and would have played at that depth. The
// buffer grows to it at the next loss or stall, and keeps it.
func (jb *jitterBuffer) noteLate(need int, now time.Time) {
	// One late burst (a receiver that was not scheduled for a while
	// reads everything late at once, or a jitter peak) moves the target
	// by jbLateStep at most; only late packets that keep coming move it
	// further.
	need = min(need, jb.target+jbLateStep, jb.jitterTgt+jbLateAbove)
	jb.lateTgt = min(max(jb.lateTgt, need), jb.maxFrames)
	jb.lateAt = now
	jb.retarget()
}

// decayLate lowers the late target a frame per jbLateHold without late
// packets.
func (jb *jitterBuffer) decayLate(now time.Time) {
	if jb.lateTgt > 0 && now.Sub(jb.lateAt) >= jbLateHold {
		jb.lateTgt--
		jb.lateAt = now
		jb.retarget()
	}
	if jb.redTgt > 0 && now.Sub(jb.redAt) >= jbRedundancyHold {
		jb.redTgt = 0
		jb.retarget()
	}
}

// Target is the current target depth in frames.
func (jb *jitterBuffer) Target() int { return jb.target }

// Delay is the smoothed time a packet spends in the buffer: from its
// arrival to its playout.
func (jb *jitterBuffer) Delay() time.Duration {
	return time.Duration(jb.waitAvg * float64(time.Second))
}

func (jb *jitterBuffer) reset() {
	for i := range jb.slots {
		jb.slots[i].used = false
	}
	jb.count = 0
	jb.playing = false
	jb.played = false
	jb.probing = false
	jb.winMin, jb.winPops, jb.surplus = math.MaxInt, 0, 0
	jb.stalled, jb.growing = 0, 0
	jb.lateTgt, jb.redTgt = 0, 0
	jb.winWait, jb.lastWait = jbNoWait, jbNoWait
	jb.retarget()
	jb.stats.Resets++
}

// Push stores a packet's payload; silent marks a telephone-event packet.
// It reports whether the packet was kept.
func (jb *jitterBuffer) Push(seq uint16, ssrc uint32, payload []byte, silent bool, now time.Time) bool {
	if len(payload) > maxPayloadSize {
		return false
	}
	if !jb.haveSrc || ssrc != jb.ssrc {
		if jb.haveSrc {
			jb.reset()
		}
		jb.haveSrc, jb.ssrc = true, ssrc
		jb.restartAt(seq)
	}
	delta := int64(int16(seq - uint16(jb.maxSeq)))
	ext := uint64(int64(jb.maxSeq) + delta)
	if delta > jbJumpLimit || delta < -jbJumpLimit {
		// A jump this far is a restarted sender or garbage; believe it
		// only when the next packet follows on.
		if !jb.probing || seq != jb.probe+1 {
			jb.probe, jb.probing = seq, true
			return false
		}
		jb.reset()
		jb.restartAt(seq)
		ext = jb.maxSeq
	}
	jb.probing = false
	if jb.played && ext < jb.next {
		if sl := &jb.slots[ext%jbSlots]; sl.played && sl.seq == ext {
			jb.stats.Duplicate++ // a copy of a packet already played
			jb.copyAfter(now.Sub(sl.at), now)
		} else {
			// Concealed already: it would have played had the buffer
			// been this much deeper.
			jb.stats.Late++
			if late := int(jb.next - ext); late < jbSlots/2 {
				jb.noteLate(jb.target+late, now)
			}
		}
		return false
	}
	if !jb.playing && jb.count > 0 && ext+jbSlots <= jb.maxSeq {
		jb.stats.Late++ // older than anything the buffer can still hold
		return false
	}
	if jb.playing && ext >= jb.next+jbSlots {
		// We are more than a buffer behind the sender: start again here.
		jb.reset()
		jb.restartAt(seq)
		ext = jb.maxSeq
	}
	s := &jb.slots[ext%jbSlots]
	if s.used && s.seq == ext {
		jb.stats.Duplicate++
		jb.copyAfter(now.Sub(s.at), now)
		return false
	}
	if !s.used {
		jb.count++
	}
	if jb.count == 1 && !jb.playing {
		jb.firstArrival = now
	}
	s.used, s.played, s.silent, s.seq, s.n, s.at = true, false, silent, ext, copy(s.payload[:], payload), now
	s.copy = jb.redundant
	if ext >= jb.estHead(now) {
		jb.headSeq, jb.headAt = ext, now
	}
	if ext > jb.maxSeq {
		jb.maxSeq = ext
	}
	jb.lastArrival = now
	return true
}

// restartAt makes seq the newest packet, with room below it for reordering.
func (jb *jitterBuffer) restartAt(seq uint16) {
	jb.maxSeq = 1<<32 | uint64(seq)
	jb.next = jb.maxSeq
	jb.headAt = time.Time{}
}

// estHead is the sequence number the sender has reached by now, as far as
// the buffer can tell: the newest packet, or, when the packets after it
// are overdue (a loss burst), one more per frame since it came, within
// jbHeadReach. A copy that arrives after a burst (sent frames after its
// original) moves the newest packet but not this estimate: the buffer's
// depth is judged against where the sender is, not against the copy.
func (jb *jitterBuffer) estHead(now time.Time) uint64 {
	if jb.headAt.IsZero() {
		return jb.maxSeq
	}
	ahead := min(max(int(now.Sub(jb.headAt)/FrameDuration), 0), jbHeadReach)
	return max(jb.maxSeq, jb.headSeq+uint64(ahead))
}

// lowest is the smallest buffered sequence number (count > 0).
func (jb *jitterBuffer) lowest() uint64 {
	for seq := jb.maxSeq - jbSlots + 1; seq <= jb.maxSeq; seq++ {
		if s := &jb.slots[seq%jbSlots]; s.used && s.seq == seq {
			return seq
		}
	}
	return jb.maxSeq
}

// Pop yields what to play for the next frame. Payloads are copied into cur
// (the packet to play) and nxt (the one after a lost packet, for FEC).
func (jb *jitterBuffer) Pop(now time.Time, cur, nxt []byte) (kind popKind, curN, nxtN int) {
	if !jb.playing {
		if jb.count == 0 {
			return popSilence, 0, 0
		}
		low := jb.lowest()
		depth := int(jb.maxSeq - low + 1)
		if depth < jb.target && now.Sub(jb.firstArrival) < time.Duration(jb.target)*FrameDuration {
			return popSilence, 0, 0
		}
		jb.playing, jb.next = true, low
		// After a pause in sending (hold, silence suppression) the
		// packets restart where the sender is: no burst to allow for.
		jb.headSeq, jb.headAt = jb.maxSeq, jb.lastArrival
		if depth > jb.target+1 {
			// Playout started late (a device opening, a burst after a
			// stall): begin near the newest packet instead of keeping
			// the backlog as latency.
			jb.skipTo(jb.maxSeq + 1 - uint64(jb.target))
		}
	}
	depth := 0
	if jb.next <= jb.maxSeq {
		depth = int(jb.maxSeq-jb.next) + 1
	}
	s := &jb.slots[jb.next%jbSlots]
	if !s.used || s.seq != jb.next {
		if depth == 0 {
			jb.winMin, jb.winPops, jb.surplus = math.MaxInt, 0, 0
			if now.Sub(jb.lastArrival) > jbIdleReset {
				// The sender stopped (hold, silence suppression): go quiet
				// and prefill again when it resumes. The frames it underran
				// before this say nothing about late packets.
				jb.playing = false
				jb.stalled, jb.growing = 0, 0
				return popSilence, 0, 0
			}
			jb.stats.Underruns++
			jb.stalled++
			return popUnderrun, 0, 0
		}
		if jb.stalled > 0 {
			// A loss burst looks like a stall until the packets after it
			// arrive: the frames concealed while waiting stand for the
			// first missing packets, so skip those instead of concealing
			// them again, down to the target depth (a target raised for
			// late copies keeps the stall as delay).
			for jb.stalled > 0 && jb.next < jb.maxSeq && !jb.has(jb.next) && int(jb.estHead(now)-jb.next) >= jb.target {
				jb.next++
				jb.stalled--
				jb.stats.Skipped++
			}
			jb.stalled, jb.growing = 0, 0
			jb.noteLate(jbFECFrames, now)
			return jb.Pop(now, cur, nxt)
		}
		// Depth up to where the sender is: in a loss burst nothing
		// arrives, and waiting would not deepen the buffer, only put the
		// burst's length into the delay.
		if int(jb.estHead(now)-jb.next)+1 < jb.target {
			// Short of the target depth: wait for it (it may be late, or
			// a copy may follow) and grow the buffer by this frame.
			jb.stats.Underruns++
			jb.stalled++
			jb.growing++
			return popUnderrun, 0, 0
		}
		jb.next++
		jb.played = true
		jb.noteLate(jbFECFrames, now)
		if n := &jb.slots[jb.next%jbSlots]; n.used && n.seq == jb.next && !n.silent {
			nxtN = copy(nxt, n.payload[:n.n])
		}
		jb.adapt(depth, now)
		return popLost, 0, nxtN
	}
	s.used = false
	s.played = true
	wait := now.Sub(s.at)
	jb.waitAvg += (wait.Seconds() - jb.waitAvg) / 16
	if !s.copy {
		// A copy comes late by design (the sender's redundancy
		// distance): how long packets wait is told by the originals.
		jb.winWait = min(jb.winWait, wait)
	}
	jb.count--
	jb.next++
	jb.played = true
	if late := jb.stalled - jb.growing; late > 0 {
		jb.noteLate(jb.target+late, now) // the stall was worth its delay: keep it
	}
	if jb.stalled > 0 {
		jb.stalled, jb.growing = 0, 0
	} else {
		jb.decayLate(now)
	}
	if s.silent {
		jb.adapt(depth, now)
		return popSilence, 0, 0
	}
	curN = copy(cur, s.payload[:s.n])
	jb.adapt(depth, now)
	return popPacket, curN, 0
}

// depth is how many frames the buffer spans, from the next to play to the
// newest.
func (jb *jitterBuffer) depth() int {
	if !jb.playing || jb.next > jb.maxSeq {
		return 0
	}
	return int(jb.maxSeq-jb.next) + 1
}

// copyAfter notes a duplicate that came dt after the first copy: a
// sender duplicating its packets that far apart. The spacing counts once
// three copies in a row agree on it (a receiver that read late would
// otherwise take its own delay for the sender's spacing).
func (jb *jitterBuffer) copyAfter(dt time.Duration, now time.Time) {
	if jb.redundant {
		return // a RED block: its spacing is known exactly
	}
	d := int((dt + FrameDuration/2) / FrameDuration)
	if d <= 0 {
		return
	}
	if d == jb.copyD {
		jb.copyVotes++
	} else {
		jb.copyD, jb.copyVotes = d, 1
	}
	if jb.copyVotes >= 3 {
		jb.SetRedundancy(d, now)
	}
}

// PushRedundant stores a frame carried as redundancy (an RFC 2198 block)
// for packet seq; like Push, but its arrival says nothing about timing.
func (jb *jitterBuffer) PushRedundant(seq uint16, ssrc uint32, payload []byte, now time.Time) bool {
	jb.redundant = true
	defer func() { jb.redundant = false }()
	return jb.Push(seq, ssrc, payload, false, now)
}

// has reports whether packet seq is buffered.
func (jb *jitterBuffer) has(seq uint64) bool {
	s := &jb.slots[seq%jbSlots]
	return s.used && s.seq == seq
}

// skipTo drops the packets before seq unplayed.
func (jb *jitterBuffer) skipTo(seq uint64) {
	for ; jb.next < seq; jb.next++ {
		if s := &jb.slots[jb.next%jbSlots]; s.used && s.seq == jb.next {
			s.used = false
			jb.count--
		}
		jb.stats.Dropped++
	}
}
