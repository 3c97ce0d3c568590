// The jitter buffer giving back delay the path no longer needs.

package media

import (
	"math"
	"time"
)

// adapt trims latency the jitter no longer needs: when the buffer stayed
// deeper than the target for a whole window, the surplus is dropped one
// frame every jbShrinkEvery pops, so no single glitch is long. A frame is
// only dropped while the packets played lately all waited long enough to
// spare it (canTrim), and, unless the buffer is far deeper than its
// target, in a pause in speech (SetQuiet) or after jbQuietWait without one.
func (jb *jitterBuffer) adapt(depth int, now time.Time) {
	jb.winMin = min(jb.winMin, depth)
	jb.winPops++
	jb.pops++
	// A surplus that lasted a window, or far deeper than needed (a stall
	// filled in by late copies, which loss keeps from lasting a window).
	// Far deeper is trimmed without waiting for a pause: on a machine
	// that stalls often, stalls would otherwise pile up delay faster
	// than pauses come to trim it.
	far := depth > jb.target+jbFarAbove
	want := (jb.surplus > 0 && depth > jb.target) || far
	switch {
	case !want:
		jb.surplus, jb.dueSince = 0, time.Time{}
	case jb.pops-jb.trimmedAt < jbShrinkEvery || !jb.canTrim():
	case !far && !jb.quiet && (jb.dueSince.IsZero() || now.Sub(jb.dueSince) < jbQuietWait):
		if jb.dueSince.IsZero() {
			jb.dueSince = now
		}
	default:
		jb.trim()
		jb.surplus = max(jb.surplus-1, 0)
		jb.dueSince, jb.trimmedAt = time.Time{}, jb.pops
	}
	if jb.winPops < jbWindow {
		return
	}
	if jb.winMin > jb.target && jb.winMin != math.MaxInt {
		jb.surplus = jb.winMin - jb.target
	}
	jb.winMin, jb.winPops = math.MaxInt, 0
	jb.lastWait, jb.winWait = jb.winWait, jbNoWait
}

// jbQuietWait is how long a due trim waits for a pause in speech before
// it drops a frame of speech.
const jbQuietWait = 2 * time.Second

// SetQuiet says whether the frame played last was a pause (silence or the
// background): a due trim then drops the next frame, where it is not
// heard. (Growing to the target in pauses too was tried: it took the
// buffer to its full target on jittery paths, 90 ms more mouth-to-ear,
// with no fewer bad frames; the buffer grows at stalls only.)
func (jb *jitterBuffer) SetQuiet(q bool) { jb.quiet = q }

// trim drops the next frame; the packets still to play wait a frame less.
func (jb *jitterBuffer) trim() {
	jb.skipTo(jb.next + 1)
	for _, w := range []*time.Duration{&jb.winWait, &jb.lastWait} {
		if *w != jbNoWait {
			*w -= FrameDuration
		}
	}
}

// jbNoWait stands for "no packet played yet" in the wait minimums.
const jbNoWait = time.Duration(math.MaxInt64)

// canTrim reports whether the packets played over the last window and a
// half all waited a frame more than trimWait: dropping a frame then leaves
// each of them (had it come as it did) trimWait to spare.
func (jb *jitterBuffer) canTrim() bool {
	least := min(jb.winWait, jb.lastWait)
	return least != jbNoWait && least >= FrameDuration+jb.trimWait()
}

// trimWait is the wait a trim must leave every packet: jbTrimMargin and
// twice the interarrival jitter.
func (jb *jitterBuffer) trimWait() time.Duration {
	return jbTrimMargin + 2*jb.jitter
}
