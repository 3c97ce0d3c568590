package audiodev

import (
	"sync"
	"time"
)

// Ring sizes and the stall probe, shared by the native backends (PulseAudio,
// WASAPI).
const (
	// pulsePlayRingFrames is how much the playout may write ahead of the
	// server's requests; Write blocks beyond it, which paces the Session.
	pulsePlayRingFrames = 2
	// pulseCaptureRingFrames holds captured audio until Read takes it; on
	// overflow the oldest audio is dropped so latency cannot grow.
	pulseCaptureRingFrames = 4
	// pulseStallProbe is how long Read/Write wait for the sound server before
	// checking that the connection still answers.
	pulseStallProbe = time.Second
)

// sampleRing is a fixed ring of samples between a sound server's callback
// goroutine and the Session's device goroutine. The side that waits
// (capture Read, playback Write) blocks on a channel, never in cgo, and
// nothing is allocated per frame.
type sampleRing struct {
	mu     sync.Mutex
	buf    []int16
	head   int // oldest sample
	n      int // samples held
	closed bool
	failed error         // set when the server stopped answering
	lost   uint64        // capture: samples dropped on overflow; playback: silence padded in
	data   bool          // playback: real audio has been written
	signal chan struct{} // capture: samples added; playback: room made
	done   chan struct{} // closed by close
}

func newSampleRing(samples int) *sampleRing {
	return &sampleRing{buf: make([]int16, samples), signal: make(chan struct{}, 1), done: make(chan struct{})}
}

func (r *sampleRing) wake() {
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// push adds captured samples, dropping the oldest when full (the reader
// fell behind: keep latency bounded, as the Session's capture ring does).
func (r *sampleRing) push(s []int16) {
	r.mu.Lock()
	if len(s) > len(r.buf) {
		r.lost += uint64(len(s) - len(r.buf))
		s = s[len(s)-len(r.buf):]
	}
	if over := r.n + len(s) - len(r.buf); over > 0 {
		r.head = (r.head + over) % len(r.buf)
		r.n -= over
		r.lost += uint64(over)
	}
	r.write(s)
	r.mu.Unlock()
	r.wake()
}

// write copies s in after the newest sample; the caller made room.
func (r *sampleRing) write(s []int16) {
	tail := (r.head + r.n) % len(r.buf)
	k := copy(r.buf[tail:], s)
	copy(r.buf, s[k:])
	r.n += len(s)
}

// read moves up to len(out) of the oldest samples into out.
func (r *sampleRing) read(out []int16) int {
	k := min(len(out), r.n)
	c := copy(out[:k], r.buf[r.head:])
	copy(out[c:k], r.buf)
	r.head = (r.head + k) % len(r.buf)
	r.n -= k
	return k
}

// pull fills out for the server: buffered audio, then silence, so the
// server never underflows (an underflow sends PulseAudio back to
// prebuffering, which stalls playback). False once closed.
func (r *sampleRing) pull(out []int16) bool {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return false
	}
	k := r.read(out)
	if k < len(out) {
		clear(out[k:])
		if r.data {
			r.lost += uint64(len(out) - k)
		}
	}
	r.mu.Unlock()
	r.wake()
	return true
}

// stallWait is what a blocked Read/Write waits on: more data or room,
// close, or a stall timer after which the caller checks the server.
type stallWait struct {
	timer *time.Timer
}

func newStallWait() stallWait {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return stallWait{timer: t}
}

// wait blocks until r is signalled (true), closed, or d passes (false).
func (w stallWait) wait(r *sampleRing, d time.Duration) (signalled bool) {
	w.timer.Reset(d)
	defer w.timer.Stop()
	select {
	case <-r.signal:
		return true
	case <-r.done:
		return true
	case <-w.timer.C:
		return false
	}
}

// takeFrame blocks until len(frame) samples are captured, the ring is
// closed (ErrDeviceClosed) or alive reports the server gone.
func (r *sampleRing) takeFrame(frame []int16, w stallWait, stall time.Duration, alive func() error) error {
	stalls := 0
	for {
		r.mu.Lock()
		if err := r.unusable(); err != nil {
			r.mu.Unlock()
			return err
		}
		if r.n >= len(frame) {
			r.read(frame)
			r.mu.Unlock()
			return nil
		}
		r.mu.Unlock()
		if !w.wait(r, stall) {
			stalls++
			r.checkAlive(alive, stalls)
		}
	}
}

// putFrame blocks while the ring has no room for frame (the server sets
// the pace), then queues it.
func (r *sampleRing) putFrame(frame []int16, w stallWait, stall time.Duration, alive func() error) error {
	stalls := 0
	for {
		r.mu.Lock()
		if err := r.unusable(); err != nil {
			r.mu.Unlock()
			return err
		}
		if len(r.buf)-r.n >= len(frame) {
			r.write(frame)
			r.data = true
			r.mu.Unlock()
			return nil
		}
		r.mu.Unlock()
		if !w.wait(r, stall) {
			stalls++
			r.checkAlive(alive, stalls)
		}
	}
}

// usable reports why the ring can no longer be used (closed, failed), or nil.
func (r *sampleRing) usable() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.unusable()
}

// drop empties the ring (playback: a pulling source takes over).
func (r *sampleRing) drop() {
	r.mu.Lock()
	r.head, r.n = 0, 0
	r.mu.Unlock()
	r.wake()
}

// len is the number of samples held.
func (r *sampleRing) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *sampleRing) unusable() error {
	if r.closed {
		return ErrDeviceClosed
	}
	return r.failed
}

// ringStallLimit is how many stall periods in a row fail the ring even
// though the server answers: it killed or stopped serving our stream (the
// device was unplugged and not replaced). Longer than a PulseAudio null
// sink's 2 s idle block, after which a fresh stream starts.
const ringStallLimit = 5

// checkAlive runs after a stall: a dead server, or one that has served
// nothing for ringStallLimit stalls, fails the ring for good, so the
// Session's device goroutine is never stuck.
func (r *sampleRing) checkAlive(alive func() error, stalls int) {
	err := alive()
	if err == nil && stalls >= ringStallLimit {
		err = ErrDeviceStalled
	}
	if err != nil {
		r.mu.Lock()
		if r.failed == nil {
			r.failed = err
		}
		r.mu.Unlock()
	}
}

// fail marks the ring broken (the device went away) and wakes the waiter.
func (r *sampleRing) fail(err error) {
	r.mu.Lock()
	if r.failed == nil {
		r.failed = err
	}
	r.mu.Unlock()
	r.wake()
}

// close wakes every waiter; true the first time.
func (r *sampleRing) close() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.closed = true
	close(r.done)
	return true
}

// lostSamples is the overflow (capture) or padding (playback) count.
func (r *sampleRing) lostSamples() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lost
}
