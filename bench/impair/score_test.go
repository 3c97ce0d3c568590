package impairbench

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// syllables is a deterministic speech-like test signal: harmonic glides in
// 4 Hz bursts with pauses, plus a little noise.
func syllables(seconds float64) []float64 {
	n := int(seconds * 48000)
	out := make([]float64, n)
	rng := rand.New(rand.NewPCG(1, 2))
	phase := 0.0
	for i := range out {
		t := float64(i) / 48000
		f0 := 160 + 50*math.Sin(2*math.Pi*0.6*t)
		phase += 2 * math.Pi * f0 / 48000
		v := 0.5*math.Sin(phase) + 0.25*math.Sin(3*phase) + 0.1*math.Sin(7*phase)
		env := math.Max(0, math.Sin(2*math.Pi*2*t))
		if int(t*1.3)%3 == 2 {
			env *= 0.02
		}
		out[i] = 0.3*env*v + 0.003*rng.NormFloat64()
	}
	return out
}

func delayed(x []float64, d time.Duration) []float64 {
	pad := int(d.Seconds() * 48000)
	return append(make([]float64, pad), x...)
}

func TestCompareCleanFindsDelay(t *testing.T) {
	sent := syllables(8)
	sc := Compare(sent, delayed(sent, 123*time.Millisecond), time.Second)
	if d := sc.Delay - 123*time.Millisecond; d < -50*time.Microsecond || d > 50*time.Microsecond {
		t.Fatalf("delay %v, want 123 ms", sc.Delay)
	}
	if sc.BadPercent != 0 || sc.LSD > 0.5 || sc.EnvCorr < 0.99 || sc.Frames < 100 {
		t.Fatalf("identical signal scored %+v", sc)
	}
}

// Frames zeroed at random are counted bad, the others not.
func TestCompareCountsLostFrames(t *testing.T) {
	sent := syllables(10)
	recv := delayed(sent, 60*time.Millisecond)
	rng := rand.New(rand.NewPCG(3, 4))
	pad := int(0.06 * 48000)
	zeroed := 0
	for f := 0; f+1 < len(sent)/frameLen; f++ {
		if rng.Float64() < 0.1 {
			clear(recv[pad+f*frameLen : pad+(f+1)*frameLen])
			zeroed++
		}
	}
	sc := Compare(sent, recv, time.Second)
	// Only active frames count; about 10 % of them were zeroed.
	if sc.BadPercent < 7 || sc.BadPercent > 13 {
		t.Fatalf("bad %.1f %% with 10 %% of frames zeroed (%+v)", sc.BadPercent, sc)
	}
	if sc.EnvCorr > 0.95 {
		t.Fatalf("envelope correlation %.3f despite holes", sc.EnvCorr)
	}
}

// A jitter buffer that adds a frame of delay mid-call (an underrun) costs
// the frames around it, not everything after it.
func TestCompareFollowsTimeShifts(t *testing.T) {
	sent := syllables(10)
	recv := delayed(sent, 80*time.Millisecond)
	at := int(0.08*48000) + 5*48000
	recv = append(recv[:at:at], append(make([]float64, frameLen), recv[at:]...)...)
	sc := Compare(sent, recv, time.Second)
	if sc.BadPercent > 4 {
		t.Fatalf("one inserted frame made %.1f %% of frames bad", sc.BadPercent)
	}
}

// A jitter buffer that grows in steps early in the call (40 ms four times
// in the first 3 s, as under bursty loss with redundancy) leaves the
// first seconds far from where the rest of the call settles: every block
// must still be found, wherever the first seconds put the overall lag.
func TestCompareFollowsAnEarlyStaircase(t *testing.T) {
	sent := syllables(12)
	recv := delayed(sent, 20*time.Millisecond)
	for _, at := range []float64{0.7, 1.6, 2.4, 3.1} {
		i := int((at + 0.02) * 48000)
		recv = append(recv[:i:i], append(make([]float64, 2*frameLen), recv[i:]...)...)
	}
	sc := Compare(sent, recv, 2*time.Second)
	if sc.BadPercent > 2 {
		t.Fatalf("four 40 ms steps made %.1f %% of frames bad (lags %v)", sc.BadPercent, sc.blockLags)
	}
	if d := sc.MedianDelay - 180*time.Millisecond; d < -time.Millisecond || d > time.Millisecond {
		t.Fatalf("median delay %v, want 180 ms", sc.MedianDelay)
	}
}
