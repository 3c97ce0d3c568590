package dsp

import (
	"math/rand/v2"
	"testing"
)

// frameOf returns a frame whose samples carry their index in the far-end
// stream (mod 32768), so a test can see which stretch was taken.
func frameOf(k int) []int16 {
	f := make([]int16, FrameSamples)
	for i := range f {
		f[i] = int16((k*FrameSamples + i) % 32768)
	}
	return f
}

// Whatever the scheduling, once synced each captured frame takes the next
// frame of far end: alignment follows the sample clocks, not the moments
// Read and Write return.
func TestRefRingAlignsBySampleIndex(t *testing.T) {
	q := newRefRing()
	rng := rand.New(rand.NewPCG(1, 1))
	out := make([]int16, FrameSamples)
	written, offset := 0, 0
	for k := range 500 {
		for want := k + 1 + rng.IntN(3); written < want; written++ {
			q.write(frameOf(written))
		}
		if !q.take(out) {
			if k < 2 {
				continue // not yet a margin's worth of far end
			}
			t.Fatalf("frame %d: no far end with %d frames written", k, written)
		}
		o := wrap(int(out[0]) - k*FrameSamples)
		if offset == 0 {
			offset = o
		}
		if o != offset {
			t.Fatalf("frame %d: alignment moved %d samples with playback jitter of two frames", k, o-offset)
		}
	}
	if resyncsOf(q) != 1 {
		t.Errorf("%d resyncs, want the one first sync", resyncsOf(q))
	}
}

// Playback falling behind again and again (the device under-ran, so what
// was written plays later than it used to) realigns the far end with the
// margin restored; a single late frame does not.
func TestRefRingRealignsWhenPlaybackKeepsComingLate(t *testing.T) {
	q := newRefRing()
	out := make([]int16, FrameSamples)
	w := 0
	for ; w < 3; w++ {
		q.write(frameOf(w))
	}
	q.take(out) // synced, far end from frame 0
	for k := 1; k < 40; k++ {
		// Playback writes one frame per capture, but lost three frames
		// of its lead over the first few: late from then on.
		if k > 3 {
			q.write(frameOf(w))
			w++
		}
		q.take(out)
	}
	if resyncsOf(q) < 2 {
		t.Fatalf("%d resyncs: playback late on every frame must realign", resyncsOf(q))
	}
	q.write(frameOf(w))
	if !q.take(out) || int(out[0]) != (w-2)*FrameSamples%32768 {
		t.Errorf("after realigning the far end starts at %d, want %d (a margin behind the newest)", out[0], (w-2)*FrameSamples)
	}
}

// Playback stalling (hold, a device hiccup) gives silence, not the same old
// far end again, and sync comes back with fresh far end, not with what was
// played before the stall.
func TestRefRingStallGivesSilenceThenResyncs(t *testing.T) {
	q := newRefRing()
	out := make([]int16, FrameSamples)
	if q.take(out) {
		t.Fatal("far end before anything was played")
	}
	w := 0
	for ; w < 3; w++ {
		q.write(frameOf(w))
	}
	if !q.take(out) {
		t.Fatal("no far end after 3 frames played")
	}
	for k := range 2 + refMaxIdle + 1 { // playback stops: a margin, then silence
		q.take(out)
		if k >= 2 {
			for i, v := range out {
				if v != 0 {
					t.Fatalf("stalled frame %d: sample %d is %d, want silence", k, i, v)
				}
			}
		}
	}
	resyncs := resyncsOf(q)
	fresh := w
	q.write(frameOf(w)) // one fresh frame is not enough to fill the backlog
	w++
	if q.take(out) {
		t.Fatal("resynced on one fresh frame: the backlog would hold audio from before the stall")
	}
	q.write(frameOf(w))
	q.write(frameOf(w + 1))
	if !q.take(out) || resyncsOf(q) != resyncs+1 {
		t.Fatalf("no resync with fresh far end (resyncs %d -> %d)", resyncs, resyncsOf(q))
	}
	if int(out[0]) != fresh*FrameSamples%32768 {
		t.Errorf("after the stall the far end starts at sample %d, want %d (a margin behind the newest)", out[0], fresh*FrameSamples)
	}
}

// Playback running ahead (clock drift, capture stalled) beyond the allowed
// trail drops the excess instead of falling ever further behind.
func TestRefRingDropsExcessWhenPlaybackRunsAhead(t *testing.T) {
	q := newRefRing()
	out := make([]int16, FrameSamples)
	w := 0
	for ; w < 3; w++ {
		q.write(frameOf(w))
	}
	q.take(out)
	for ; w < 13; w++ { // capture stalls for 10 frames
		q.write(frameOf(w))
	}
	q.take(out)
	want := (w - 3) * FrameSamples % 32768
	if int(out[0]) != want {
		t.Errorf("after playback ran 10 frames ahead the far end starts at %d, want %d", out[0], want)
	}
}

// setBulk delays the far end by the bulk the estimator asked for.
func TestRefRingBulkDelay(t *testing.T) {
	q := newRefRing()
	q.setBulk(5 * FrameSamples)
	out := make([]int16, FrameSamples)
	for w := range 20 {
		q.write(frameOf(w))
	}
	if !q.take(out) {
		t.Fatal("no far end")
	}
	if want := (20 - 1 - 2 - 5) * FrameSamples; int(out[0]) != want {
		t.Errorf("with a 5-frame bulk the far end starts at %d, want %d", out[0], want)
	}
}

// wrap maps a difference of sample indices mod 32768 into -16384..16383.
func wrap(d int) int { return ((d%32768)+32768+16384)%32768 - 16384 }

func resyncsOf(q *refRing) int {
	r, _ := q.counts()
	return r
}

// Playout held up for 100 ms, then writing the five frames at once (the
// Session's catch-up), leaves a few frames without far end but keeps the
// alignment: the device played on from its buffer meanwhile.
func TestRefRingRidesThroughAPlayoutHiccup(t *testing.T) {
	q := newRefRing()
	out := make([]int16, FrameSamples)
	w := 0
	for ; w < 3; w++ {
		q.write(frameOf(w))
	}
	q.take(out)
	offset := int(out[0])
	for k := 1; k < 60; k++ {
		switch {
		case k >= 20 && k < 25: // held up
		case k == 25:
			for ; w < k+3; w++ {
				q.write(frameOf(w))
			}
		default:
			q.write(frameOf(w))
			w++
		}
		q.take(out)
		if k > 25 && int(out[0]) != (offset+k*FrameSamples)%32768 {
			t.Fatalf("frame %d starts at %d, want %d: the hiccup moved the alignment", k, out[0], (offset+k*FrameSamples)%32768)
		}
	}
	if resyncsOf(q) != 1 {
		t.Errorf("%d resyncs, want only the first sync", resyncsOf(q))
	}
}

// A device that takes two frames at a time (writes come in pairs, every
// other capture finds nothing new) and came late after an under-run is
// realigned all the same.
func TestRefRingRealignsLatePairedWrites(t *testing.T) {
	q := newRefRing()
	out := make([]int16, FrameSamples)
	w := 0
	for ; w < 3; w++ {
		q.write(frameOf(w))
	}
	q.take(out)
	for k := 1; k < 40; k++ {
		// Playback lost three frames of its lead, then writes two
		// frames every other capture.
		if k > 3 && k%2 == 0 {
			q.write(frameOf(w))
			q.write(frameOf(w + 1))
			w += 2
		}
		q.take(out)
	}
	if resyncsOf(q) < 2 {
		t.Fatalf("%d resyncs: playback late on every frame, written in pairs, must realign", resyncsOf(q))
	}
	_, late := q.counts()
	if late > 12 {
		t.Errorf("%d late frames: realigning should have stopped them", late)
	}
}
