//go:build cgo

package dsp

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
)

// sameVoiceCustomer is the customer's words in the agent's voice (espeak's
// default): envelopes of one synthetic voice look alike at many lags.
func sameVoiceCustomer(t testing.TB) []float64 {
	t.Helper()
	return load(t, testenv.Espeak(t, "Hello, I am calling about my order. It was supposed to arrive yesterday "+
		"but nothing came. Can you tell me where it is and when it will be delivered?"))
}

// loop repeats x to n samples.
func loop(x []float64, n int) []float64 {
	out := make([]float64, 0, n+len(x))
	for len(out) < n {
		out = append(out, x...)
	}
	return out[:n]
}

// nearEndHeard is how the agent's speech reached the customer: envelope
// match with the clean speech (the median part's) and the mean level of
// its speech frames.
type nearEndHeard struct {
	score, speechDBFS float64
	// pauseDBFS is the median 20 ms level in the agent's pauses, where the
	// customer talks on.
	pauseDBFS float64
	st        Stats
}

func (h nearEndHeard) String() string {
	return fmt.Sprintf("envelope %.3f, speech %.1f dBFS, pauses %.1f dBFS (far end %d frames, %d sent cancelled, echo delay %d ms, %d realigns, %d undone)",
		h.score, h.speechDBFS, h.pauseDBFS, h.st.FarEndFrames, h.st.CancelledFrames, h.st.EchoDelayMs, h.st.Realigns, h.st.RealignsUndone)
}

// doubleTalkHeard runs a call (two media Sessions over 127.0.0.1) in which
// the customer talks all along and the agent talks over them, and nothing
// leaks from the agent's headset into its microphone; it returns how the
// agent's speech reached the customer.
func doubleTalkHeard(t *testing.T, codec string, customer, agent []float64, cfg Config) nearEndHeard {
	t.Helper()
	mic := toInt16(agent)
	far := toInt16(loop(customer, len(mic)+SampleRate))
	got, st := callHeard(t, codec, far, &frameSource{x: mic}, sinkFunc(func([]int16) error { return nil }), cfg, len(mic)+SampleRate/2)
	heard := toAudio(got)
	// Eight parts of 1.4 s, the median: a loaded machine makes the
	// Sessions skip or repeat a 20 ms tick now and then, which spoils the
	// part it falls in (0.48-0.51 measured, the others 0.93-0.99).
	r, err := audiocmp.CompareSegmentsMedian(floats(agent), heard, 8)
	if err != nil {
		t.Fatal(err)
	}
	lags, err := audiocmp.Align(floats(agent), heard, 8)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audiocmp.MeasureLevels(floats(agent), heard, lags, 0)
	if err != nil {
		t.Fatal(err)
	}
	return nearEndHeard{score: r.Score, speechDBFS: l.SpeechDBFS, pauseDBFS: l.PauseMedianDBFS, st: st}
}

// The agent on a headset that does not leak talks over the customer from
// the first second of a call (Opus and PCMU; the customer in another voice
// or in the same synthetic voice, whose envelopes look alike): the echo
// canceller, with nothing to cancel, leaves the agent's speech as it was.
// What the customer hears matches the agent's speech at least 0.9 as well
// as without the canceller, at the same level within 2 dB, and the
// canceller's output is never sent: in the agent's pauses the customer
// does not hear their own voice. (Before the echo gate, the canceller
// chasing the agent's voice sent the customer's back at -60 to -67 dBFS in
// the agent's pauses, against -96 dBFS or digital silence without it.)
func TestEchoCancellerLeavesTheAgentAloneWithoutEcho(t *testing.T) {
	t.Parallel()
	agent := agentSpeech(t)
	pairs := []struct{ with, without Config }{
		{Config{EchoCancel: true}, Config{}},
		{All(), Config{NoiseSuppression: true, AGC: true}},
	}
	for _, tc := range []struct{ voice, codec string }{
		{"other voice", "opus"}, {"other voice", "pcmu"}, {"same voice", "opus"}, {"same voice", "pcmu"},
	} {
		// One case at a time, and each pair's two calls at once: with and
		// without the canceller under the same load.
		t.Run(tc.voice+"/"+tc.codec, func(t *testing.T) {
			customer := customerSpeech(t)
			if tc.voice == "same voice" {
				customer = sameVoiceCustomer(t)
			}
			heard := make(map[Config]nearEndHeard)
			var mu sync.Mutex
			for _, p := range pairs {
				t.Run(p.with.String(), func(t *testing.T) {
					for _, cfg := range []Config{p.with, p.without} {
						t.Run(cfg.String(), func(t *testing.T) {
							t.Parallel()
							h := doubleTalkHeard(t, tc.codec, customer, agent, cfg)
							mu.Lock()
							heard[cfg] = h
							mu.Unlock()
						})
					}
				})
			}
			if t.Failed() {
				return
			}
			for _, p := range pairs {
				with, without := heard[p.with], heard[p.without]
				t.Logf("%s: %s; %s: %s", p.with, with, p.without, without)
				if with.score < 0.9*without.score || math.Abs(with.speechDBFS-without.speechDBFS) > 2 {
					t.Errorf("%s over the customer, no echo: envelope %.3f, speech %.1f dBFS; %s: %.3f, %.1f dBFS",
						p.with, with.score, with.speechDBFS, p.without, without.score, without.speechDBFS)
				}
				if with.pauseDBFS > max(without.pauseDBFS+6, -80) {
					t.Errorf("%s: the agent's pauses carry %.1f dBFS (%s: %.1f): the canceller sends the customer's voice back", p.with, with.pauseDBFS, p.without, without.pauseDBFS)
				}
				if with.st.FarEndFrames == 0 || with.st.CancelledFrames != 0 {
					t.Errorf("%s: %d frames with far end, %d sent cancelled; want far end and nothing cancelled", p.with, with.st.FarEndFrames, with.st.CancelledFrames)
				}
			}
		})
	}
}

// The same without a call, to the sample: with no echo to cancel, the
// agent talking over a customer (another voice, the same voice, or the
// agent's own words in another voice a little earlier, whose envelopes
// correlate enough for the delay estimator to move the far end) is sent
// exactly as noise suppression and gain alone send it. A far-end move that
// cancels nothing is undone.
func TestEchoCancellerWithoutEchoSendsWhatTheMicrophoneGives(t *testing.T) {
	t.Parallel()
	agent := agentSpeech(t)
	agentWords := load(t, testenv.Pad(t, testenv.EspeakVoice(t, "en+f3", "Thank you for calling customer support, my name is Anna. "+
		"How can I help you today? Let me check your account. One moment please. "+
		"I can see the parcel left our warehouse this morning."), 300*time.Millisecond, 700*time.Millisecond))
	mic := toInt16(agent)
	want := process(t, Config{NoiseSuppression: true, AGC: true}, mic)
	for _, tc := range []struct {
		name string
		far  []float64
	}{
		{"customer in another voice", customerSpeech(t)},
		{"customer in the same voice", sameVoiceCustomer(t)},
		{"the agent's words in another voice, 200 ms earlier", agentWords},
	} {
		out, st := callAudio(t, All(), toInt16(loop(tc.far, len(mic))), mic, 1)
		t.Logf("%s: %+v", tc.name, st)
		if !slices.Equal(out, want) || st.CancelledFrames != 0 {
			t.Errorf("%s: sent audio differs from noise suppression and gain alone (%d frames sent cancelled)", tc.name, st.CancelledFrames)
		}
		if st.Realigns-st.RealignsUndone > 1 {
			t.Errorf("%s: %d far-end moves, %d undone: moves that cancel nothing must be undone", tc.name, st.Realigns, st.RealignsUndone)
		}
	}
}

// The agent had a leaky headset, then plugs in one that does not leak: the
// canceller, which cancelled the echo, stops being trusted once it has
// taken nothing off for gateLeave of far end, and the agent's speech goes
// out as the microphone gives it again.
func TestEchoGateLetsGoWhenTheEchoGoes(t *testing.T) {
	t.Parallel()
	customer := customerSpeech(t)
	agent := agentSpeech(t)
	r := room{40 * time.Millisecond, -10}
	leaky := len(customer)
	far := loop(customer, leaky+len(agent))
	echo := r.apply(far[:leaky], 7)
	mic := make([]float64, len(far))
	copy(mic, echo)
	copy(mic[leaky:], agent) // the new headset: the agent alone
	p, err := New(All(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	_, st := feed(t, p, toInt16(far), toInt16(mic), 4)
	t.Logf("%+v", st)
	if st.CancelledFrames < uint64(leaky/FrameSamples/2) {
		t.Errorf("leaky headset: %d of %d frames sent cancelled", st.CancelledFrames, leaky/FrameSamples)
	}
	if p.gate.on {
		t.Errorf("%s after the echo went: the canceller's output is still sent", duration(agent))
	}
	if most := uint64(leaky/FrameSamples) + (gateLeave+gateMinBlocks)/blocksFrame + 50; st.CancelledFrames > most {
		t.Errorf("%d frames sent cancelled, want at most %d: the gate let go late", st.CancelledFrames, most)
	}
}
