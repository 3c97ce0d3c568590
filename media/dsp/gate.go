package dsp

import "math"

// echoGate decides how much of the echo canceller's work reaches the call.
//
// An adaptive canceller given a far end that does not leak into the
// microphone (a headset, double talk over a customer) still adapts: it
// chases the agent's own voice with the far end, and what it subtracts is
// not echo but a filtered copy of the customer added to the agent's speech;
// its residual echo estimate, unconverged, is the raw far end, which the
// preprocessor then suppresses out of the agent's voice. So the canceller's
// output is used only once it has shown that it cancels: over the last
// window of far end the microphone lost energy through it (ERLE) and that
// energy is most of what it subtracted, which unrelated speech never gives
// (see gateProofDB). Until then, and again once it has not shown it for
// gateLeave of far end, the microphone passes untouched (transparent) and
// the preprocessor gets no residual echo estimate; the canceller keeps
// adapting meanwhile, so a real echo is taken on within about a second of
// far-end speech. Changes ramp over one block.
type echoGate struct {
	sm, se float64 // decaying mic and canceller-output energies over far-end blocks
	sy     float64 // and of the echo estimate (mic - output)
	n      int     // far-end blocks in sm, se (saturates)
	since  int     // far-end blocks since the canceller last proved itself
	on     bool    // cancelling: the canceller's output is used
	w      float64 // weight of the echo estimate in the sent block (ramps to 0 or 1)
	proved bool    // the last block proved the canceller
	erle   float64 // the last ERLE measured, dB
	// removed is the energy the canceller took off the microphone over
	// what it subtracted (mic - output): 1 when all it subtracts is echo,
	// below 0.5 when it adds more than it removes.
	removed float64
}

const (
	// gateFarDBFS is the far-end block level that counts as far end
	// playing: quieter is comfort noise or silence.
	gateFarDBFS = -50.0
	// gateDecay per far-end block makes the measures' window: about 0.3 s
	// of far end.
	gateDecay = 0.97
	// gateMinBlocks far-end blocks before a measure counts.
	gateMinBlocks = 20
	// The canceller proves itself when, over the window, it took at least
	// gateProofDB of energy off the microphone (ERLE), and the energy it
	// took off is at least gateProofRemoved of what it subtracted: a real
	// echo gives 3 dB and about 1.0-1.5 within 0.5-1 s of far-end speech
	// (15-40 dB and 1.0 once converged); unrelated speech, the same voice
	// on both sides included, at most 1.3 dB and 0.25 (media/dsp tests):
	// the canceller then subtracts much more than it removes.
	gateProofDB      = 3.0
	gateProofRemoved = 0.6
	// gateLeave far-end blocks (5 s) without a proof, not counting those
	// in which the canceller still removes at least gateHoldRemoved of what
	// it subtracts (the agent talking over a real echo: 0.5-1.0 measured
	// at -10 dB, against at most 0.25 without echo), make the gate
	// transparent again: the echo went (a headset plugged in). The first
	// words of the far end alone prove the canceller again.
	gateLeave       = 500
	gateHoldRemoved = 0.4
)

var gateFarPower = math.Pow(10, gateFarDBFS/10) * 32768 * 32768 * blockSamples

// update takes one block: the microphone, the canceller's output for it
// and the far end it cancelled. It reports whether the gate is on.
func (g *echoGate) update(mic, out, ref []int16) bool {
	g.proved = false
	if energy(ref) < gateFarPower {
		return g.on
	}
	g.sm = gateDecay*g.sm + energy(mic)
	g.se = gateDecay*g.se + energy(out)
	var yy float64
	for i := range mic {
		y := float64(mic[i]) - float64(out[i])
		yy += y * y
	}
	g.sy = gateDecay*g.sy + yy
	g.n = min(g.n+1, gateMinBlocks)
	if g.n < gateMinBlocks {
		return g.on
	}
	g.erle = 10 * math.Log10((g.sm+1)/(g.se+1))
	g.removed = (g.sm - g.se) / (g.sy + 1)
	if g.removed < gateHoldRemoved {
		g.since++
	}
	if g.erle >= gateProofDB && g.removed >= gateProofRemoved {
		g.proved, g.since, g.on = true, 0, true
	} else if g.since > gateLeave {
		g.on = false
	}
	return g.on
}

// restart forgets the measures (the canceller was reset); the gate keeps
// its state until the canceller proves itself or gateLeave passes.
func (g *echoGate) restart() { g.sm, g.se, g.sy, g.n = 0, 0, 0, 0 }

// mix writes into mic what is sent: the microphone minus the weighted echo
// estimate (mic - out), the weight ramping over the block to 1 when the
// gate is on, to 0 when off.
func (g *echoGate) mix(mic, out []int16) {
	target := 0.0
	if g.on {
		target = 1
	}
	if g.w == target && target == 0 {
		return
	}
	if g.w == target {
		copy(mic, out)
		return
	}
	step := (target - g.w) / float64(len(mic))
	for i := range mic {
		g.w += step
		m := float64(mic[i])
		mic[i] = clamp16(m - g.w*(m-float64(out[i])))
	}
	g.w = target
}

func energy(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}
