package media

import (
	"errors"
	"io"
	"sync"
)

// captureRing decouples a real-time source (a device blocking in its own
// clock) from the sender's 20 ms clock. It holds a few frames; when the
// device runs ahead the oldest frame is dropped so latency cannot grow.
type captureRing struct {
	mu     sync.Mutex
	frames [captureRingFrames][FrameSamples]int16
	head   int // oldest
	count  int
}

const captureRingFrames = 4

func newCaptureRing() *captureRing { return &captureRing{} }

// run reads src until stop is closed or src ends; done is called then
// (the sender goes on with silence).
func (r *captureRing) run(src Source, stop <-chan struct{}, done func(error)) {
	var frame [FrameSamples]int16
	for {
		select {
		case <-stop:
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
		r.mu.Lock()
		if r.count == captureRingFrames {
			r.head = (r.head + 1) % captureRingFrames
			r.count--
		}
		r.frames[(r.head+r.count)%captureRingFrames] = frame
		r.count++
		r.mu.Unlock()
	}
}

// take copies the oldest frame into out; false when the ring is empty.
func (r *captureRing) take(out []int16) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count == 0 {
		return false
	}
	copy(out, r.frames[r.head][:])
	r.head = (r.head + 1) % captureRingFrames
	r.count--
	return true
}
