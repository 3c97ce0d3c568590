//go:build linux

package audiodev

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
)

// BenchmarkPulseLoop plays b.N frames to a null sink through the Pulse
// backend while capturing its monitor, after a one second warm-up of
// silence: allocations per frame cover our rings and the protocol library
// (both directions), and loop-latency-ms is how long a tone takes from
// Write's return to Read's return (playback ring + server buffer + capture
// fragment). Run: scripts/with-test-env.sh go test -run '^$' -bench
// PulseLoop -benchmem -benchtime 250x ./media/audiodev/
func BenchmarkPulseLoop(b *testing.B) {
	b.Setenv(pulseBackendEnv, "")
	dev := testenv.PulseDevice(b, "hs_pulse_bench", nil, nil)
	play, err := OpenPlayback(dev.Sink)
	if err != nil {
		b.Fatal(err)
	}
	defer play.Close()
	capt, err := OpenCapture(dev.Sink + ".monitor")
	if err != nil {
		b.Fatal(err)
	}
	defer capt.Close()
	const warm = 50
	sig := tone(media.FrameSamples, media.SampleRate, 1000, 8000)
	silence := make([]int16, media.FrameSamples)
	written := make(chan time.Time, 1)
	done := make(chan error, 1)
	go func() {
		for i := range warm + b.N {
			f := silence
			if i >= warm {
				f = sig
			}
			if err := play.Write(f); err != nil {
				done <- err
				return
			}
			if i == warm {
				written <- time.Now()
			}
		}
		done <- nil
	}()
	frame := make([]int16, media.FrameSamples)
	var toneAt time.Time
	var heard time.Duration
	for i := range warm + b.N {
		if i == warm {
			b.ResetTimer()
		}
		if err := capt.Read(frame); err != nil {
			b.Fatal(err)
		}
		if heard == 0 {
			if k := onset(frame, 8000); k >= 0 {
				if toneAt.IsZero() {
					toneAt = <-written
				}
				heard = time.Since(toneAt) - time.Duration(media.FrameSamples-k)*time.Second/media.SampleRate
			}
		}
	}
	b.StopTimer()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(heard)/float64(time.Millisecond), "loop-latency-ms")
	b.ReportMetric(float64(play.(*pulsePlayback).ring.lostSamples()), "padded-samples")
	b.ReportMetric(float64(capt.(*pulseCapture).ring.lostSamples()), "dropped-samples")
}
