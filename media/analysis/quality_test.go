package analysis

import (
	"math"
	"testing"
)

// Every way a capture can be unusable is named; live sound of any level a
// microphone produces is not.
func TestCheckCaptureNamesEachFault(t *testing.T) {
	const n = 2 * SampleRate
	gen := func(f func(i int) float32) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = f(i)
		}
		return x
	}
	noise := Probe(2000, -80, 11)
	loud := Probe(2000, -20, 12)
	withGaps := append([]float32(nil), noise...)
	for i := SampleRate / 2; i < SampleRate/2+SampleRate/10; i++ { // 100 ms lost
		withGaps[i] = 0
	}
	lateStart := append([]float32(nil), noise...)
	clear(lateStart[:SampleRate*4/10]) // 400 ms of zeros before the first sound: a USB microphone starting up
	tooLate := append([]float32(nil), noise...)
	clear(tooLate[:SampleRate*6/10]) // 600 ms of 2 s: too little left
	cases := []struct {
		name string
		x    []float32
		want Fault
	}{
		{"live -80 dBFS", noise, FaultNone},
		{"live -20 dBFS", loud, FaultNone},
		{"device starting up", lateStart, FaultNone},
		{"device starting late", tooLate, FaultShort},
		{"short", noise[:n/2], FaultShort},
		{"empty", nil, FaultShort},
		{"digital silence", make([]float32, n), FaultSilent},
		{"DC only", gen(func(int) float32 { return 0.3 }), FaultConstant},
		{"DC with 1 LSB", gen(func(i int) float32 { return 0.3 + float32(i%2)/32768 }), FaultConstant},
		{"dither", gen(func(i int) float32 { return float32(i%3-1) / 32768 }), FaultNearSilent},
		{"square at the rails", gen(func(i int) float32 { return float32(1 - 2*((i/48)%2)) }), FaultRail},
		{"two values", gen(func(i int) float32 { return float32(1-2*((i/7)%2)) * 0.3 }), FaultSparse},
		{"gaps", withGaps, FaultGaps},
	}
	for _, c := range cases {
		q := CheckCapture(c.x, n, -95)
		if q.Fault != c.want {
			t.Errorf("%s: fault %q, want %q (%+v)", c.name, q.Fault, c.want, q)
		}
		if q.OK() != (c.want == FaultNone) {
			t.Errorf("%s: OK() %v", c.name, q.OK())
		}
		for _, v := range []float64{q.ACLevelDBFS, q.RailPercent, q.GapMS, q.LongestGapMS, q.LeadMS, q.Seconds} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: non-finite figure %+v", c.name, q)
			}
		}
	}
	if q := CheckCapture(withGaps, n, -95); math.Abs(q.LongestGapMS-100) > 1 {
		t.Errorf("gap length %v ms, want 100", q.LongestGapMS)
	}
}
