package impair

import (
	"math"
	"testing"
	"time"
)

func run(cfg Config, n int) (*Impairer, []bool, []time.Duration) {
	im := New(cfg)
	t0 := time.Unix(1_700_000_000, 0)
	drops := make([]bool, n)
	var delays []time.Duration
	for i := range n {
		now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
		drop, at := im.Decide(now)
		drops[i] = drop
		if !drop {
			delays = append(delays, at.Sub(now))
		}
	}
	return im, drops, delays
}

func TestRandomLossRateAndSeed(t *testing.T) {
	im, drops, _ := run(Config{Seed: 1, Loss: 0.1}, 20000)
	if l := im.Stats().LossPercent(); math.Abs(l-10) > 1 {
		t.Fatalf("loss %.2f %%, want 10±1", l)
	}
	if b := im.Stats().MeanBurst(); b > 1.3 {
		t.Fatalf("random loss has mean burst %.2f", b)
	}
	_, again, _ := run(Config{Seed: 1, Loss: 0.1}, 20000)
	_, other, _ := run(Config{Seed: 2, Loss: 0.1}, 20000)
	same, diff := true, false
	for i := range drops {
		same = same && drops[i] == again[i]
		diff = diff || drops[i] != other[i]
	}
	if !same || !diff {
		t.Fatalf("seed: same seed repeats %t, other seed differs %t", same, diff)
	}
}

// The home line: mean 20 % loss in bursts of about 5 packets.
func TestGilbertElliottBursts(t *testing.T) {
	im, _, _ := run(Config{Seed: 7, Burst: Bursts(0.2, 5)}, 50000)
	st := im.Stats()
	if l := st.LossPercent(); math.Abs(l-20) > 2 {
		t.Fatalf("loss %.2f %%, want 20±2", l)
	}
	if b := st.MeanBurst(); math.Abs(b-5) > 0.6 {
		t.Fatalf("mean burst %.2f packets, want 5±0.6", b)
	}
}

func TestDelayJitterAndOrder(t *testing.T) {
	for _, reorder := range []bool{false, true} {
		cfg := Config{Seed: 3, Delay: 40 * time.Millisecond, Jitter: 30 * time.Millisecond, Reorder: reorder}
		im := New(cfg)
		t0 := time.Unix(1_700_000_000, 0)
		var last time.Time
		overtakes := 0
		var sum time.Duration
		const n = 5000
		for i := range n {
			now := t0.Add(time.Duration(i) * 20 * time.Millisecond)
			drop, at := im.Decide(now)
			if drop {
				t.Fatal("dropped without loss configured")
			}
			d := at.Sub(now)
			if d < 10*time.Millisecond || d > 100*time.Millisecond {
				t.Fatalf("delay %v outside 40±30 ms (plus order keeping)", d)
			}
			sum += d
			if at.Before(last) {
				overtakes++
			}
			last = at
		}
		mean := sum / n
		switch {
		case !reorder && overtakes > 0:
			t.Fatalf("%d packets overtaken without reordering", overtakes)
		case reorder && overtakes < n/10:
			t.Fatalf("only %d of %d packets reordered with 30 ms jitter at 20 ms spacing", overtakes, n)
		case reorder && (mean < 38*time.Millisecond || mean > 42*time.Millisecond):
			t.Fatalf("mean delay %v, want 40 ms", mean)
		}
	}
}
