package impairbench

import (
	"fmt"
	"os"
	"strconv"
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
	_ = strconv.Itoa
}
