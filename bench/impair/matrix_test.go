package impairbench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/impair"
	"github.com/homeshore/homeshore/internal/testenv"
)

// sentences are spoken by espeak-ng as the sent speech (English and French
// voices, like the agents' calls).
var sentences = []string{
	"Good morning, you are through to customer service, my name is Claire, how can I help you today?",
	"I can see your order here. It left our warehouse on Tuesday and should reach you by Friday at the latest.",
	"Could you please confirm the postcode and the first line of the delivery address for me?",
	"Thank you. I have updated the address, and you will receive a confirmation by e-mail within the hour.",
	"Is there anything else I can help you with? Thank you for calling, and have a lovely day.",
}

// speech returns about n seconds of espeak-ng speech, 48 kHz mono.
func speech(tb testing.TB, n int) string {
	tb.Helper()
	var parts []string
	var total time.Duration
	for i := 0; total < time.Duration(n)*time.Second; i++ {
		w := testenv.Espeak(tb, sentences[i%len(sentences)])
		parts = append(parts, testenv.Pad(tb, w, 0, 300*time.Millisecond))
		total += wavDuration(tb, parts[len(parts)-1])
	}
	return testenv.Concat(tb, parts...)
}

// Conditions of the issue: random loss, Gilbert-Elliott bursts (mean
// 20 % in bursts of ~5 packets), jitter 40±30 ms.
var (
	clean    = Condition{Name: "clean"}
	random5  = Condition{Name: "random 5%", Path: impair.Config{Loss: 0.05}}
	random10 = Condition{Name: "random 10%", Path: impair.Config{Loss: 0.10}}
	bursty20 = Condition{Name: "bursty 20%", Path: impair.Config{Burst: impair.Bursts(0.20, 5)}}
	jitter40 = Condition{Name: "jitter 40±30ms", Path: impair.Config{Delay: 40 * time.Millisecond, Jitter: 30 * time.Millisecond, Reorder: true}}
	loss5jit = Condition{Name: "random 5% + jitter 40±30ms", Path: impair.Config{Loss: 0.05, Delay: 40 * time.Millisecond, Jitter: 30 * time.Millisecond, Reorder: true}}
)

func logResult(tb testing.TB, c Call, r Result) {
	tb.Helper()
	fec, conc := "-", "-"
	if r.RecvJSON != nil {
		fec, conc = fmt.Sprint(r.RecvJSON["fec_recovered"]), fmt.Sprint(r.RecvJSON["concealed"])
	}
	tb.Logf("%-9s -> %-9s %-28s seed %d: bad %5.1f %%  LSD %4.1f dB  env %.3f  lag %v  (path lost %.1f %%, bursts %.1f; receiver FEC %s, concealed %s)",
		c.Sender, c.Receiver, c.Cond.Name, c.Seed, r.BadPercent, r.LSD, r.EnvCorr, r.Delay.Round(time.Millisecond),
		r.Impaired.LossPercent(), r.Impaired.MeanBurst(), fec, conc)
}

func TestImpairedSmoke(t *testing.T) {
	bin := requireHarness(t)
	sp := speech(t, 8)
	calls := []Call{
		{Sender: Homeshore, Receiver: Homeshore, Cond: clean, Mouth: true},
		{Sender: Homeshore, Receiver: Homeshore, Cond: jitter40, Mouth: true},
	}
	if os.Getenv("SMOKE_HH") != "" {
		calls = []Call{{Sender: Homeshore, Receiver: Homeshore, Cond: clean}}
	}
	if os.Getenv("SMOKE_BB") != "" {
		calls = []Call{{Sender: Baresip, Receiver: Baresip, Cond: clean}, {Sender: Baresip, Receiver: Homeshore, Cond: random10}}
	}
	if os.Getenv("SMOKE_ALL") != "" {
		for _, cond := range []Condition{clean, random10, bursty20} {
			for _, pair := range [][2]Peer{{Homeshore, Homeshore}, {Homeshore, Baresip}, {Baresip, Homeshore}, {Baresip, Baresip}} {
				calls = append(calls, Call{Sender: pair[0], Receiver: pair[1], Cond: cond})
			}
		}
	}
	for _, c := range calls {
		c.Seed, c.Speech = 1, sp
		r := runCall(t, bin, c)
		logResult(t, c, r)
	}
}

// matrixPairs are the sender -> receiver pairs of the full matrix.
var matrixPairs = [][2]Peer{{Homeshore, Homeshore}, {Homeshore, Baresip}, {Baresip, Homeshore}, {Baresip, Baresip}}

// BenchmarkImpairedMatrix runs every pair through every condition (file
// senders, scored on the receiver's playout) and the Homeshore-to-Homeshore
// mouth-to-ear calls, and prints the tables for docs/BENCHMARKS.md.
// Knobs: IMPAIR_SEEDS (default 2), IMPAIR_SECONDS of speech (default 20).
func BenchmarkImpairedMatrix(b *testing.B) {
	bin := requireHarness(b)
	seeds := envInt("IMPAIR_SEEDS", 2)
	sp := speech(b, envInt("IMPAIR_SECONDS", 20))
	type agg struct{ bad, lsd, env, delay []float64 }
	table := func(title string, conds []Condition, pairs [][2]Peer, mouth bool) {
		fmt.Printf("\n%s (%d seeds, %.0f s of speech each)\n\n", title, seeds, wavDuration(b, sp).Seconds())
		fmt.Println("| condition | sender -> receiver | bad frames % (per seed) | LSD dB | envelope corr. | mouth-to-ear ms |")
		fmt.Println("| --- | --- | --- | --- | --- | --- |")
		for _, cond := range conds {
			for _, pair := range pairs {
				var a agg
				for seed := 1; seed <= seeds; seed++ {
					c := Call{Sender: pair[0], Receiver: pair[1], Cond: cond, Seed: uint64(seed), Speech: sp, Mouth: mouth}
					r := runCall(b, bin, c)
					logResult(b, c, r)
					a.bad = append(a.bad, r.BadPercent)
					a.lsd = append(a.lsd, r.LSD)
					a.env = append(a.env, r.EnvCorr)
					a.delay = append(a.delay, float64(r.Delay)/float64(time.Millisecond))
				}
				delay := "–"
				if mouth {
					delay = fmt.Sprintf("%.0f (%s)", mean(a.delay), list(a.delay, "%.0f"))
				}
				fmt.Printf("| %s | %s -> %s | **%.1f** (%s) | %.1f | %.3f | %s |\n", cond.Name, pair[0], pair[1],
					mean(a.bad), list(a.bad, "%.1f"), mean(a.lsd), mean(a.env), delay)
			}
		}
	}
	for range b.N {
		table("Mouth-to-ear, Homeshore to Homeshore (microphone and speaker on PulseAudio devices)",
			[]Condition{clean, jitter40, loss5jit}, [][2]Peer{{Homeshore, Homeshore}}, true)
		table("Loss, senders playing the speech file",
			[]Condition{clean, random5, random10, bursty20}, matrixPairs, false)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(max(1, len(x)))
}

func list(x []float64, f string) string {
	parts := make([]string, len(x))
	for i, v := range x {
		parts[i] = fmt.Sprintf(f, v)
	}
	return strings.Join(parts, ", ")
}
