package precheck

import (
	"context"
	"testing"

	"github.com/homeshore/homeshore/app/config"
)

// BenchmarkPreShiftCheck is the whole check with production settings
// (10 s room capture, 20 OPTIONS probes) on real PulseAudio and Kamailio.
// Goal: ≤ 20 s per run. Recorded in docs/BENCHMARKS.md ("Pre-shift check").
//
//	scripts/with-test-env.sh go test -run '^$' -bench PreShiftCheck -benchtime 3x ./app/precheck/
func BenchmarkPreShiftCheck(b *testing.B) {
	requirePulse(b)
	sip := startKamailio(b)
	p := newPulsePair(b, "bench", headsetProps, headsetProps)
	p.noise(b, -75)
	// Wake the fresh null sink (an idle one sleeps in 2 s blocks; hardware does not).
	if s, err := (DeviceAudio{}).OpenPlayback(p.out); err == nil {
		s.Close()
	}
	var last Report
	for b.Loop() {
		rep, err := Run(context.Background(), Options{Policy: config.DefaultPolicy(), Output: p.out, Input: p.in, SIPServer: sip, Pins: NoPins{}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.ExitCode() != ExitPass {
			b.Fatalf("check failed: %v", rep.FailedChecks())
		}
		last = rep
	}
	for _, c := range last.Checks {
		b.ReportMetric(float64(c.DurationMS), c.Name+"-ms")
	}
	b.ReportMetric(float64(last.DurationMS), "total-ms")
}
