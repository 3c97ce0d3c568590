package audiodev

import "time"

// A pulling playback device keeps only the sound server's buffer between
// the call and the ear, so that buffer is all that covers the moments when
// the server or our process is not scheduled: the server then plays what
// it holds, and asks for the whole of it back at once when it runs again.
// pullGovernor sizes that buffer from the requests: it starts small
// (pullBufferFloor), grows when a request shows the buffer ran (nearly)
// dry, and comes back down a step after each pullCalm without a close
// call. A quiet machine plays with the small buffer; a loaded one gets the
// buffer its stalls need, no more.
type pullGovernor struct {
	cur       time.Duration // latency asked of the server
	held      time.Duration // what the server keeps queued for it (the rest is the sink's own)
	last      time.Time     // previous request
	calmSince time.Time     // last growth or step down
	grown     int           // times the buffer grew
	dry       uint64        // requests that showed the buffer had run dry
}

const (
	// pullBufferFloor is the buffer on a quiet machine: four of the
	// server's 5 ms requests (pullRequest).
	pullBufferFloor = 20 * time.Millisecond
	// pullBufferCeil bounds what stalls may make it grow to: what a
	// writing (pushing) device keeps in all.
	pullBufferCeil = 80 * time.Millisecond
	// pullRequest is how much the server asks for at a time.
	pullRequest = 5 * time.Millisecond
	// pullCalm is how long the buffer must have been comfortable before
	// it shrinks by pullStep.
	pullCalm = 15 * time.Second
	pullStep = 5 * time.Millisecond
)

func newPullGovernor() pullGovernor { return pullGovernor{cur: pullBufferFloor, held: pullBufferFloor} }

// granted records what the server gave for the latency asked: the length
// of the queue it keeps for the stream.
func (g *pullGovernor) granted(held time.Duration) {
	if held > 0 {
		g.held = held
	}
}

// request notes that the server asked for missing worth of audio at now;
// it returns the buffer to ask for when that should change.
func (g *pullGovernor) request(now time.Time, missing time.Duration) (time.Duration, bool) {
	if g.last.IsZero() {
		g.last, g.calmSince = now, now
		return 0, false
	}
	// What the server played since it last had a full buffer: what it
	// asks for, or, when it could not ask (our process or its main
	// thread were not scheduled), the time since the last request.
	drained := max(missing, now.Sub(g.last)-pullRequest)
	g.last = now
	want := g.cur
	switch {
	case drained >= g.held:
		g.dry++
		// Ran dry: the stall was this long; keep a request's margin
		// more (the sink's own part of the latency comes on top).
		want = max(g.cur+pullStep, drained+g.cur-g.held+pullRequest)
	case drained > g.held-pullRequest:
		want = g.cur + pullStep // a close call
	case now.Sub(g.calmSince) >= pullCalm && g.cur > pullBufferFloor:
		want = g.cur - pullStep
	}
	want = min(max(want, pullBufferFloor), pullBufferCeil)
	if want == g.cur {
		return 0, false
	}
	if want > g.cur {
		g.grown++
	}
	g.cur, g.calmSince = want, now
	return want, true
}
