//go:build cgo

package dsp

import (
	"testing"
	"time"
)

// echoCall builds one call's lines: the customer talks alone, then the agent
// answers while the customer goes on for a while (double talk). It returns
// the far end (played), the microphone (agent plus echo of the far end
// through r), the agent's clean line, and where the customer talks alone.
func echoCall(t testing.TB, r room) (far, mic []int16, near []float64, alone [2]int) {
	t.Helper()
	customer := customerSpeech(t)
	agent := agentSpeech(t)
	total := len(customer) + len(agent)
	farLine := make([]float64, total)
	copy(farLine, customer)
	copy(farLine[len(customer)+len(agent)/4:], customer[:len(agent)/2])
	near = make([]float64, total)
	copy(near[len(customer):], agent)
	echo := r.apply(farLine, 7)
	micLine := make([]float64, total)
	for i := range micLine {
		micLine[i] = near[i] + echo[i]
	}
	return toInt16(farLine), toInt16(micLine), near, [2]int{0, len(customer) / FrameSamples * FrameSamples}
}

// A far end leaking into the microphone at -10 dB (open-back headset, or
// speakers) is cancelled by at least 20 dB once the filter converged
// (measured 27-39 dB from the 4th second on, the aligner having moved the
// far end when the echo came later than the filter reaches), and the agent
// talking over the customer keeps its level and shape.
func TestEchoCancellerRemovesLeak(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r        room
		minScore float64
	}{
		{room{40 * time.Millisecond, -10}, 0.85},
		{room{120 * time.Millisecond, -10}, 0.85},
		// Open speakers as loud as the far end: the agent over it is
		// harder to keep whole.
		{room{120 * time.Millisecond, 0}, 0.72},
	} {
		r := tc.r
		far, mic, near, alone := echoCall(t, r)
		out, st := callAudio(t, Config{EchoCancel: true}, far, mic, 3)
		from := 4 * SampleRate / FrameSamples * FrameSamples // aligned and converged
		erle := powerDB(mic[from:alone[1]]) - powerDB(out[from:alone[1]])
		m := measureCleanup(t, near, mic, out, duration(near[:alone[1]]))
		t.Logf("%s: echo alone %.1f -> %.1f dBFS (-%.1f dB); agent %s; %+v", r, powerDB(mic[from:alone[1]]), powerDB(out[from:alone[1]]), erle, m, st)
		if erle < 20 {
			t.Errorf("%s: echo reduced by %.1f dB, want >= 20", r, erle)
		}
		if m.speechLevelDiff < -3 || m.score < tc.minScore || m.lsd > m.lsdIn {
			t.Errorf("%s: agent's speech over the echo: level %+.1f dB (want > -3), envelope %.3f (want >= %.2f), spectral distance %.2f dB (input %.2f)",
				r, m.speechLevelDiff, m.score, tc.minScore, m.lsd, m.lsdIn)
		}
		if st.EchoDelayMs < int(r.delay/time.Millisecond) || st.EchoDelayMs > int(r.delay/time.Millisecond)+60 {
			t.Errorf("%s: echo delay %d ms (%d realigns), want the room's delay plus up to 60 ms", r, st.EchoDelayMs, st.Realigns)
		}
	}
}

// A device that buffers 350 ms puts the echo past the filter's 120 ms: the
// delay estimator finds it and moves the far end, and the canceller then
// removes the echo as well as with a short delay.
func TestEchoCancellerFollowsLongDeviceDelay(t *testing.T) {
	t.Parallel()
	r := room{350 * time.Millisecond, -10}
	far, mic, _, alone := echoCall(t, r)
	out, st := callAudio(t, Config{EchoCancel: true}, far, mic, 5)
	from := alone[1] - 3*SampleRate // the last 3 s of the customer alone
	erle := powerDB(mic[from:alone[1]]) - powerDB(out[from:alone[1]])
	t.Logf("%s: last 3 s of echo alone reduced %.1f dB; %+v", r, erle, st)
	if st.Realigns < 1 || st.EchoDelayMs < 350 || st.EchoDelayMs > 410 {
		t.Errorf("%s: %d realigns, echo delay %d ms; want the far end moved and 350-410 ms found", r, st.Realigns, st.EchoDelayMs)
	}
	if erle < 20 {
		t.Errorf("%s: echo reduced by %.1f dB after realigning, want >= 20", r, erle)
	}
}

// No far end played (a file sink, or the call on hold): the canceller has
// nothing to cancel and the agent's speech passes.
func TestEchoCancellerWithoutFarEnd(t *testing.T) {
	t.Parallel()
	agent := agentSpeech(t)
	in := toInt16(agent)
	out, st := callAudio(t, Config{EchoCancel: true}, nil, in, 1)
	if st.FarEndFrames != 0 || st.Resyncs != 0 || st.EchoDelayMs != -1 {
		t.Errorf("no far end: %+v", st)
	}
	m := measureCleanup(t, agent, in, out, 0)
	if m.score < 0.95 || m.speechLevelDiff < -1 {
		t.Errorf("no far end: agent's speech %s", m)
	}
}
