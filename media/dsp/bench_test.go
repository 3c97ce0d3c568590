//go:build unix && cgo

package dsp

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkProcessing is the CPU one call costs per minute with each part of
// the processing: one op is a minute of 20 ms frames, the far end played
// and the microphone (the agent plus the far end's echo at -10 dB) read, as
// in a call; cpu-s/call-min is the process's CPU time, not wall time.
//
//	go test ./media/dsp -run '^$' -bench Processing -benchtime 5x
func BenchmarkProcessing(b *testing.B) {
	near := toInt16(agentSpeech(b))
	far := toInt16(customerSpeech(b))
	echo := room{60 * time.Millisecond, -10}.apply(floats16(far), 1)
	micLine := floats16(near)
	for i := range micLine {
		micLine[i] += echo[i%len(echo)]
	}
	mic := toInt16(micLine)
	const frames = 3000 // one minute
	for _, cfg := range []Config{{NoiseSuppression: true}, {AGC: true}, {EchoCancel: true}, All()} {
		b.Run(cfg.String(), func(b *testing.B) {
			frame := make([]int16, FrameSamples)
			var cpu time.Duration
			for b.Loop() {
				p, err := New(cfg, nil)
				if err != nil {
					b.Fatal(err)
				}
				sink := p.Playback(sinkFunc(func([]int16) error { return nil }))
				before := cpuTime()
				for k := range frames {
					at := k * FrameSamples % (len(mic) - FrameSamples)
					at -= at % FrameSamples
					if err := sink.Write(far[at%(len(far)-FrameSamples) : at%(len(far)-FrameSamples)+FrameSamples]); err != nil {
						b.Fatal(err)
					}
					copy(frame, mic[at:at+FrameSamples])
					if err := p.process(frame); err != nil {
						b.Fatal(err)
					}
				}
				cpu += cpuTime() - before
				p.Close()
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/call-min")
			b.ReportMetric(100*cpu.Seconds()/float64(b.N)/60, "%core")
		})
	}
}

func floats16(x []int16) []float64 { return toAudio(x).Samples }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
