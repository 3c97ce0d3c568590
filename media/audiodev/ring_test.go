package audiodev

import (
	"errors"
	"github.com/homeshore/homeshore/media"
	"testing"
	"time"
)

func ramp(n, from int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(from + i)
	}
	return s
}

func TestSampleRingCaptureDropsOldestOnOverflow(t *testing.T) {
	r := newSampleRing(4)
	r.push(ramp(3, 0))
	r.push(ramp(3, 3)) // 0..5 into 4 slots: 0 and 1 dropped
	out := make([]int16, 4)
	if err := r.takeFrame(out, newStallWait(), time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if want := ramp(4, 2); !equalSamples(out, want) || r.lostSamples() != 2 {
		t.Fatalf("got %v lost %d, want %v lost 2", out, r.lostSamples(), want)
	}
	r.push(ramp(9, 100)) // more than the ring: only the newest 4 stay
	if err := r.takeFrame(out, newStallWait(), time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if want := ramp(4, 105); !equalSamples(out, want) {
		t.Fatalf("got %v, want %v", out, want)
	}
}

func TestSampleRingPlaybackPadsAndPaces(t *testing.T) {
	r := newSampleRing(4)
	out := make([]int16, 3)
	if !r.pull(out) || !equalSamples(out, []int16{0, 0, 0}) || r.lostSamples() != 0 {
		t.Fatalf("before any audio: %v, padded %d", out, r.lostSamples())
	}
	w := newStallWait()
	if err := r.putFrame(ramp(2, 1), w, time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.putFrame(ramp(2, 3), w, time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	// The ring is full: the next Write waits until the server pulls.
	wrote := make(chan error)
	go func() { wrote <- r.putFrame(ramp(2, 5), w, time.Hour, nil) }()
	select {
	case err := <-wrote:
		t.Fatalf("Write into a full ring returned %v", err)
	default:
	}
	if !r.pull(out) || !equalSamples(out, []int16{1, 2, 3}) {
		t.Fatalf("pulled %v", out)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !r.pull(out) || !equalSamples(out, []int16{4, 5, 6}) || r.lostSamples() != 0 {
		t.Fatalf("pulled %v, padded %d", out, r.lostSamples())
	}
	if !r.pull(out) || !equalSamples(out, []int16{0, 0, 0}) || r.lostSamples() != 3 {
		t.Fatalf("underrun: %v, padded %d", out, r.lostSamples())
	}
	if !r.close() || r.close() {
		t.Fatal("close not true exactly once")
	}
	if r.pull(out) {
		t.Fatal("pull after close")
	}
	if err := r.putFrame(ramp(2, 0), w, time.Hour, nil); !errors.Is(err, ErrDeviceClosed) {
		t.Fatalf("Write after close: %v", err)
	}
}

func TestSampleRingCloseWakesReader(t *testing.T) {
	r := newSampleRing(4)
	read := make(chan error)
	go func() { read <- r.takeFrame(make([]int16, 2), newStallWait(), time.Hour, nil) }()
	r.close()
	if err := <-read; !errors.Is(err, ErrDeviceClosed) {
		t.Fatalf("Read woken by close: %v", err)
	}
}

// A stall makes the ring ask whether the server still answers; a dead
// server fails it for good instead of blocking the Session forever.
func TestSampleRingStallChecksServer(t *testing.T) {
	r := newSampleRing(4)
	gone := errors.New("server gone")
	err := r.takeFrame(make([]int16, 2), newStallWait(), time.Nanosecond, func() error { return gone })
	if !errors.Is(err, gone) {
		t.Fatalf("Read on a dead server: %v", err)
	}
	if err := r.putFrame(make([]int16, 2), newStallWait(), time.Hour, nil); !errors.Is(err, gone) {
		t.Fatalf("ring not failed for good: %v", err)
	}
	// A live server that stops serving the stream fails it too.
	r = newSampleRing(2)
	_ = r.putFrame(make([]int16, 2), newStallWait(), time.Hour, nil)
	probes := 0
	err = r.putFrame(make([]int16, 2), newStallWait(), time.Nanosecond, func() error { probes++; return nil })
	if !errors.Is(err, ErrDeviceStalled) || probes != ringStallLimit {
		t.Fatalf("Write to a stream the server stopped serving: %v after %d probes", err, probes)
	}
}

func equalSamples(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkSampleRing is one 20 ms frame through each ring the way the
// Pulse backend moves it (server chunks of half a frame): no allocation.
func BenchmarkSampleRing(b *testing.B) {
	capRing := newSampleRing(pulseCaptureRingFrames * media.FrameSamples)
	playRing := newSampleRing(pulsePlayRingFrames * media.FrameSamples)
	w := newStallWait()
	frame := make([]int16, media.FrameSamples)
	chunk := make([]int16, media.FrameSamples/2)
	b.ReportAllocs()
	for b.Loop() {
		capRing.push(chunk)
		capRing.push(chunk)
		if err := capRing.takeFrame(frame, w, time.Second, nil); err != nil {
			b.Fatal(err)
		}
		if err := playRing.putFrame(frame, w, time.Second, nil); err != nil {
			b.Fatal(err)
		}
		playRing.pull(chunk)
		playRing.pull(chunk)
	}
}
