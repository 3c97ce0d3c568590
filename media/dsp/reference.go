package dsp

import "sync"

// refRing carries the far end from the playback goroutine (write) to the
// capture goroutine (take), which hands the echo canceller the stretch of
// far end that matches each captured frame.
//
// Both devices run on sample clocks: sample k written to playback is heard
// a fixed time after sample 0, and microphone sample j was captured a fixed
// time after its sample 0. So the far end is matched to the microphone by
// sample index, not by the time a Read or Write returned (goroutine
// scheduling would make that jitter): after one sync, every captured frame
// takes the next frame of far end, whatever the scheduling. The read
// position trails the newest written sample by backlog: refMargin (writes
// run ahead of the loudspeaker by the device buffer's varying fill) plus the
// bulk delay the estimator found.
//
// When playback is late beyond the margin (scheduling jitter, a burst of
// catch-up reads) the missing far end is left silent and the alignment
// kept: the device plays on from its buffer. When playback writes yet keeps
// coming late, it under-ran and what it writes now plays later than before:
// the far end is realigned. When playback stalls (hold, a device hiccup, no
// call audio yet: nothing written for refMaxIdle frames, or later than
// refMaxStep) it gives silence, then resyncs (backlog behind the newest
// sample) once fresh far end fills the backlog. When it trails by more than
// refMaxTrail beyond backlog, or by more than refSlack for a second (the
// device clocks drifted apart, or capture lost frames), it drops the excess.
type refRing struct {
	mu         sync.Mutex
	buf        []int16
	written    int64 // samples ever written
	read       int64 // next sample take returns
	synced     bool
	mark       int64 // written when sync was lost: resync needs fresh far end
	seen       int64 // written at the previous take
	idleLate   int   // takes in a row that found playback late and idle
	lateScore  int   // +2 per late take, -1 per take on time
	trailRun   int   // takes in a row that found more than refSlack spare
	lateFrames int   // frames whose far end was partly not written yet
	backlog    int64
	resyncs    int
}

const (
	// refCapacity bounds the bulk delay the ring can hold: one second.
	refCapacity = SampleRate
	// refMargin absorbs how far ahead of the loudspeaker playback writes
	// run: the device's buffer fill varies by a frame or two, and a frame
	// of scheduling jitter on top.
	refMargin = 2 * FrameSamples
	// refMaxTrail is how far past backlog the read position may fall
	// behind before a resync: more than a burst of catch-up writes (the
	// Session writes up to five frames at once after a stall), so drift or
	// lost capture.
	refMaxTrail = 8 * FrameSamples
	// refMaxStep is the most playback may be late and still count as
	// jitter, and refMaxIdle how many frames in a row capture may find it
	// late without it writing anything (a burst of catch-up reads); later,
	// or longer, playback stalled.
	refMaxStep = 6 * FrameSamples
	refMaxIdle = 5
	// Playback late on most frames (lateScore: +2 late, -1 on time) for
	// 100 ms to half a second means it under-ran: what it writes now plays
	// later than before.
	refMaxLate = 10
	// refTrailRun frames in a row (a second) with more than refSlack of
	// far end to spare beyond backlog mean capture lost frames.
	refTrailRun = 50
	refSlack    = 3 * FrameSamples
)

func newRefRing() *refRing {
	return &refRing{buf: make([]int16, refCapacity), backlog: refMargin}
}

// write stores one played frame.
func (q *refRing) write(frame []int16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(frame) > 0 {
		at := int(q.written % refCapacity)
		n := copy(q.buf[at:], frame)
		frame = frame[n:]
		q.written += int64(n)
	}
}

// setBulk moves the read position so the far end trails by bulk samples
// more than the margin; the next take resyncs.
func (q *refRing) setBulk(bulk int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.backlog = int64(refMargin + min(max(bulk, 0), maxBulkSamples))
	q.unsync()
}

// maxBulkSamples keeps backlog plus a trailing frame inside the ring.
const maxBulkSamples = refCapacity - refMargin - refMaxTrail - 2*FrameSamples

// take fills out with the far end that goes with the next captured frame.
// It reports false (out zeroed) while there is no far end to match: nothing
// played yet, or playback stalled and has not caught up.
func (q *refRing) take(out []int16) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := int64(len(out))
	late := q.read + n - q.written // samples of this frame not yet written
	trail := q.written - (q.read + n) - q.backlog
	idle := q.written == q.seen // nothing played since the last take
	q.seen = q.written
	if late > 0 {
		q.lateScore += 2
		q.lateFrames++
		if idle {
			q.idleLate++
		} else {
			q.idleLate = 0
		}
	} else {
		q.lateScore = max(q.lateScore-1, 0)
		q.idleLate = 0
	}
	if trail > refSlack {
		q.trailRun++
	} else {
		q.trailRun = 0
	}
	switch {
	case !q.synced:
	case q.idleLate > refMaxIdle || late > refMaxStep:
		// Nothing played for a while, or far behind: playback stalled.
		q.unsync()
	case q.lateScore >= refMaxLate && !idle:
		// Playback writes but comes late on most frames: it under-ran
		// and what it writes now plays later than before; realign with
		// the margin restored. (Late now and then is scheduling jitter
		// or a burst of catch-up reads: the missing far end is left
		// silent, the alignment kept.)
		q.read = q.written - n - q.backlog
		q.resyncs++
		q.lateScore = 0
	case trail > refMaxTrail || q.trailRun >= refTrailRun:
		// Far end piling up, at once or for a second: capture lost
		// frames or the clocks drifted; drop the excess.
		q.read = q.written - n - q.backlog
		q.resyncs++
		q.trailRun = 0
	}
	if !q.synced {
		// Resync once enough far end arrived since sync was lost to fill
		// the backlog with audio that was really played just now.
		if q.written-q.mark < n+q.backlog {
			clear(out)
			return false
		}
		q.read = q.written - n - q.backlog
		q.synced = true
		q.resyncs++
	}
	// Far end not written yet (playback scheduled late) is left silent:
	// the alignment stays, as the device keeps playing from its buffer.
	have := n - max(0, q.read+n-q.written)
	for i := range max(have, 0) {
		out[i] = q.buf[(q.read+i)%refCapacity]
	}
	clear(out[max(have, 0):])
	q.read += n
	return have > 0
}

func (q *refRing) unsync() {
	q.synced = false
	q.mark = q.written
}

// counts are how many times take realigned, and how many frames found
// playback late.
func (q *refRing) counts() (resyncs, late int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.resyncs, q.lateFrames
}
