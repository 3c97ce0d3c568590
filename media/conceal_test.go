package media

import (
	"math"
	"testing"
)

// Over a burst, the PLC's buzz fades out and comfort noise at the call's
// background level fades in; the first frames are left alone, and the
// first good frame after the burst fades back in without a click.
func TestConcealerFadesBurstToComfortNoise(t *testing.T) {
	var c concealer
	frame := make([]int16, FrameSamples)
	// Speech with quiet pauses (background RMS ~100).
	for i := range 100 {
		amp := 8000.0
		if i%5 == 4 {
			amp = 140
		}
		copy(frame, tone(FrameSamples, SampleRate, 300, amp))
		c.good(frame)
	}
	if c.floor < 80 || c.floor > 120 {
		t.Fatalf("background estimate %.0f, want ~100", c.floor)
	}
	var rmsRun []float64
	var buzz []float64
	for range 12 {
		copy(frame, tone(FrameSamples, SampleRate, 200, 8000)) // the decoder's repetition
		c.concealed(frame)
		rmsRun = append(rmsRun, rms(frame))
		buzz = append(buzz, goertzel(frame, SampleRate, 200))
	}
	if rmsRun[0] < 5000 || rmsRun[1] < 5000 {
		t.Fatalf("first concealed frames changed: rms %v", rmsRun[:2])
	}
	for i := 1; i < 8; i++ {
		if rmsRun[i+1] >= rmsRun[i] {
			t.Fatalf("no fade: rms %v", rmsRun)
		}
	}
	last := rmsRun[len(rmsRun)-1]
	if last < 50 || last > 250 || buzz[len(buzz)-1] > 0.5 {
		t.Fatalf("end of burst: rms %.0f (want the background ~100), buzz share %.2f", last, buzz[len(buzz)-1])
	}
	copy(frame, tone(FrameSamples, SampleRate, 300, 8000))
	c.good(frame)
	head, tail := rms(frame[:FrameSamples/8]), rms(frame[7*FrameSamples/8:])
	if head > tail/3 || math.IsNaN(head) {
		t.Fatalf("no fade-in after the burst: first %.0f, last %.0f", head, tail)
	}
}

// A pause is a frame near the call's background (or near silence when
// the background is digital silence), never one as loud as speech even
// over a loud background.
func TestConcealerQuiet(t *testing.T) {
	frameAt := func(r float64) []int16 { return tone(FrameSamples, SampleRate, 300, r*math.Sqrt2) }
	for _, tc := range []struct {
		name       string
		background float64 // RMS of the good frames fed first; 0 = digital silence
		level      float64 // RMS of the frame judged
		quiet      bool
	}{
		{"silence over silence", 0, 0, true},
		{"faint over silence", 0, 80, true},
		{"speech over silence", 0, 3000, false},
		{"room noise over its background", 100, 250, true},
		{"soft speech over a quiet room", 100, 600, false},
		{"speech over a quiet room", 100, 5000, false},
		{"background at the floor's cap", 300, 850, true},
		{"speech over a loud room", 300, 1200, false},
	} {
		var c concealer
		for range 50 {
			c.good(frameAt(tc.background))
		}
		if got := c.quiet(frameAt(tc.level)); got != tc.quiet {
			t.Errorf("%s: frame RMS %.0f over background %.0f (floor %.0f): quiet %v, want %v", tc.name, tc.level, tc.background, c.floor, got, tc.quiet)
		}
	}
}
