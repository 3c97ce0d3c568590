package dsp

import "math"

// The echo canceller's work on each block: the gate (gate.go) decides what
// of it is sent, the delay estimator (delay.go) where the far end sits.

// cancel runs the echo canceller on one block in place: the canceller's
// output goes out only while the gate trusts it (gate.go); the
// preprocessor removes residual echo only then too.
func (p *Processor) cancel(mic, ref []int16) {
	p.eng.cancel(mic, ref, p.out[:])
	was := p.gate.on
	on := p.gate.update(mic, p.out[:], ref)
	if on != was {
		p.log.Info("echo canceller output", "sent", on, "erle_db", math.Round(p.gate.erle*10)/10)
	}
	p.eng.linkEcho(on)
	p.gate.mix(mic, p.out[:])
	if on {
		p.cancelled++
	}
	if p.trial == nil {
		return
	}
	switch {
	case p.gate.proved:
		p.trial = nil // the move found the echo
	case p.gate.since > trialBlocks:
		// The far end moved and the canceller took nothing off since:
		// the estimate was not an echo (two voices alike); move back and
		// never try that delay again in this call.
		p.refused = append(p.refused, p.bulk)
		p.log.Info("echo canceller realign undone: nothing to cancel there", "far_end_delay_ms", p.trial.bulk*1000/SampleRate)
		p.move(p.trial.bulk)
		p.stats.RealignsUndone++
		p.trial = nil
	}
}

// follow records the echo lag found and moves the far end when the echo
// falls outside the canceller's filter and enough estimates agree (more,
// and further outside, while the canceller cancels: a move restarts it),
// unless a move is on probation or that delay was tried in this call and
// cancelled nothing.
func (p *Processor) follow(lag, agreed int) {
	need, low, high := estAgree, estLowLag, estHighLag
	if p.gate.on {
		need, low, high = estAgreeCancelling, estLowLag-estSlackCancelling, estHighLag+estSlackCancelling
	}
	if agreed < need {
		return
	}
	p.stats.EchoDelayMs = (refMargin+p.bulk)*1000/SampleRate + lag*10
	if lag >= low && lag <= high || p.trial != nil {
		return
	}
	bulk := min(max(p.bulk+(lag-estTargetLag)*blockSamples, 0), maxBulkSamples)
	if bulk == p.bulk {
		return
	}
	for _, r := range p.refused {
		if abs(bulk-r) <= blockSamples {
			return
		}
	}
	p.log.Info("echo canceller realigned", "echo_delay_ms", p.stats.EchoDelayMs, "far_end_delay_ms", bulk*1000/SampleRate)
	p.trial = &realignTrial{bulk: p.bulk}
	p.move(bulk)
	p.stats.Realigns++
}

// realignTrial is a move of the far end on probation: it is undone when
// the canceller does not prove itself within trialBlocks of far end.
type realignTrial struct {
	bulk int // the far-end delay before the move
}

// trialBlocks is how long a move has to show cancellation: 5 s of far end
// (a real echo in the filter gives gateProofDB within about a second).
const trialBlocks = 500

// move puts the far end bulk samples later than the margin and restarts
// the canceller there.
func (p *Processor) move(bulk int) {
	p.bulk = bulk
	p.ref.setBulk(bulk)
	p.eng.resetEcho()
	p.est.reset()
	p.gate.restart()
	p.gate.since = 0
}
