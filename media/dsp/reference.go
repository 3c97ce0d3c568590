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
// When playback is late beyond the margin (scheduling jitter) the missing
// far end is left silent and the alignment kept: the device plays on from
// its buffer. When playback stalls (hold, a device hiccup, no call audio
// yet: late twice with nothing played between, or later than refMaxStep) it
// gives silence, then resyncs (backlog behind the newest sample) once fresh
// far end fills the backlog. When it trails by more than refMaxTrail beyond
// backlog (the device clocks drifted apart, or capture stalled), it drops
// the excess.
type refRing struct {
	mu         sync.Mutex
	buf        []int16
	written    int64 // samples ever written
	read       int64 // next sample take returns
	synced     bool
	mark       int64 // written when sync was lost: resync needs fresh far end
	seen       int64 // written at the previous take
	late       bool  // the previous take found playback late
	lateRecent int   // decaying count of late frames (refLateWeight each)
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
	// behind before a resync: a device buffer burst, not yet drift.
	refMaxTrail = 3 * FrameSamples
	// refMaxStep is the most playback may be late and still count as
	// jitter; later, or late twice with nothing played in between, it
	// stalled.
	refMaxStep = 2 * FrameSamples
	// A late frame adds refLateWeight and every frame takes one off: more
	// than refMaxLate/refLateWeight late frames within about a second
	// means the alignment went stale (playback under-ran).
	refLateWeight = 25
	refMaxLate    = 2 * refLateWeight
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
	switch {
	case !q.synced:
	case late > 0 && (idle && q.late || late > refMaxStep):
		q.unsync() // playback stalled
	case late > 0 && q.lateRecent >= refMaxLate:
		// Late again and again: playback under-ran and its timeline
		// moved; realign with the margin restored.
		q.read = q.written - n - q.backlog
		q.resyncs++
		q.lateRecent = 0
	case late > 0:
		q.lateRecent += refLateWeight
		q.lateFrames++
	case trail > refMaxTrail:
		q.read = q.written - n - q.backlog // drift: drop the excess
		q.resyncs++
	}
	q.late = late > 0
	q.lateRecent = max(q.lateRecent-1, 0)
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
