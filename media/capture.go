package media

import (
	"errors"
	"io"
	"sync"
	"time"
)

// captureRing carries frames from a real-time source (a device blocking on
// its own clock) to the sender, which sends each frame as it arrives:
// capture pushes, so the device's clock, not ours, paces the stream and
// clock drift never adds or drops audio. It holds a few frames; if the
// sender falls behind, the oldest frame is dropped so latency cannot grow.
type captureRing struct {
	mu     sync.Mutex
	frames [captureRingFrames][FrameSamples]int16
	at     [captureRingFrames]time.Time // when each frame was read from the source
	head   int                          // oldest
	count  int
	ready  chan struct{} // signalled when a frame is added
	quit   chan struct{} // closed to stop this ring's reader (source swap)
	ended  chan struct{} // closed when the reader has returned
}

const captureRingFrames = 4

func newCaptureRing() *captureRing {
	return &captureRing{ready: make(chan struct{}, 1), quit: make(chan struct{}), ended: make(chan struct{})}
}

// halt stops the reader and waits until it no longer touches its source
// (at most one device frame).
func (r *captureRing) halt() {
	close(r.quit)
	<-r.ended
}

// run reads src until stop or r.quit is closed or src ends; done is called
// when src ends (the sender goes on with silence). A source that returns
// frames faster than real time (not blocking as a device should) is paced
// on clock instead of spinning.
// Every latencySampleEvery frames the source's latency goes into lat.
func (r *captureRing) run(src Source, clock Clock, stop <-chan struct{}, lat *avgDuration, done func(error)) {
	defer close(r.ended)
	var frame [FrameSamples]int16
	var frames int
	var guard rtGuard
	guard.reset(clock.Now())
	var ticker Ticker
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		if guard.ahead(clock.Now()) {
			if ticker == nil {
				ticker = clock.NewTicker(FrameDuration)
			}
			select {
			case <-stop:
				return
			case <-r.quit:
				return
			case <-ticker.C():
			}
		}
		select {
		case <-stop:
			return
		case <-r.quit:
			return
		default:
		}
		if err := src.Read(frame[:]); err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			done(err)
			return
		}
		at := clock.Now()
		if frames++; frames%latencySampleEvery == latencySampleEvery/4 {
			sampleLatency(src, lat)
		}
		r.mu.Lock()
		if r.count == captureRingFrames {
			r.head = (r.head + 1) % captureRingFrames
			r.count--
		}
		r.frames[(r.head+r.count)%captureRingFrames] = frame
		r.at[(r.head+r.count)%captureRingFrames] = at
		r.count++
		r.mu.Unlock()
		select {
		case r.ready <- struct{}{}:
		default:
		}
	}
}

// len is the number of frames waiting.
func (r *captureRing) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

// take copies the oldest frame into out and says when it was captured;
// false when the ring is empty.
func (r *captureRing) take(out []int16) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == 0 {
		return time.Time{}, false
	}
	at := r.at[r.head]
	copy(out, r.frames[r.head][:])
	r.head = (r.head + 1) % captureRingFrames
	r.count--
	return at, true
}
