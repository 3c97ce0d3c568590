package precheck

import (
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// micFaults: the microphone finding for each capture fault.
var micFaults = map[analysis.Fault]struct {
	verdict   Verdict
	code, key string
}{
	analysis.FaultSilent:     {Fail, "mic_dead", "check.msg.mic_dead"},
	analysis.FaultNearSilent: {Fail, "mic_dead", "check.msg.mic_near_silent"},
	analysis.FaultConstant:   {Fail, "mic_stuck", "check.msg.mic_stuck"},
	analysis.FaultRail:       {Fail, "mic_broken", "check.msg.mic_broken_rail"},
	analysis.FaultSparse:     {Fail, "mic_broken", "check.msg.mic_broken_sparse"},
	analysis.FaultGaps:       {Error, "mic_gaps", "check.msg.mic_gaps"},
	analysis.FaultShort:      {Error, "mic_gaps", "check.msg.mic_short"},
}

// addFault records the finding for a capture fault (no-op without one).
func addMicFault(c *CheckResult, q analysis.Capture) {
	m, ok := micFaults[q.Fault]
	if !ok {
		return
	}
	switch q.Fault {
	case analysis.FaultRail:
		c.addKey(m.verdict, m.code, m.key, q.RailPercent)
	case analysis.FaultGaps:
		c.addKey(m.verdict, m.code, m.key, wholeDB(q.GapMS))
	default:
		c.addKey(m.verdict, m.code, m.key)
	}
}

// Where the microphone is, from the read sentence (MicFigures.Proximity).
const (
	ProximityClose   = "close"   // near the mouth: a headset boom
	ProximityDistant = "distant" // across the desk: a laptop, a webcam, a speakerphone
	ProximityUnclear = "unclear" // between the thresholds, too little speech, or too much noise
)

// Below this much speech over the room's background, a distant verdict could
// be the noise's doing (it caps how far the level can fall), not the room's.
const proximityMinSpeechToRoomDB = 20

// proximity rates the close-talk figures against the policy.
func proximity(ct analysis.CloseTalk, pol config.MicrophonePolicy) string {
	switch {
	case ct.ActiveSeconds < 1:
		return ProximityUnclear
	case ct.DecayDB >= pol.CloseTalkDecayDB:
		return ProximityClose
	case ct.DecayDB <= pol.DistantDecayDB && ct.SpeechToRoomDB >= proximityMinSpeechToRoomDB:
		return ProximityDistant
	}
	return ProximityUnclear
}

// judgeMic checks the silent-room capture for a dead, muted, stuck, broken
// or clipping microphone and, when given, the agent's speech level.
// Clipping over max_clip_percent while the room is silent means the input
// gain is far too high (or the input is broken): it fails headless too, as
// it does on the read sentence.
func judgeMic(room []float32, speech []float32, muted bool, pol config.MicrophonePolicy) CheckResult {
	c := CheckResult{Name: config.CheckMicrophone, Verdict: Pass}
	st := analysis.Stats(room)
	q := analysis.CheckCapture(room, len(room), pol.DeadBelowDBFS)
	f := MicFigures{SignalStats: roundStats(st), Muted: muted, Capture: roundCapture(q)}
	c.Figures = &f
	switch {
	case muted:
		c.add(Fail, "mic_muted")
	case !q.OK():
		addMicFault(&c, q)
	case st.ClipPercent > pol.MaxClipPercent:
		c.addKey(Fail, "mic_clipping", "check.msg.mic_clipping_room", st.ClipPercent)
	}
	if speech != nil {
		sp := analysis.SpeechLevel(speech)
		sp.ActiveLevelDBFS = round1(sp.ActiveLevelDBFS)
		sp.ActivityPercent = round1(sp.ActivityPercent)
		f.Speech = &sp
		sst := analysis.Stats(speech)
		sq := analysis.CheckCapture(speech, len(speech), pol.DeadBelowDBFS)
		switch {
		// Speech at the rails is an overdriven voice (clipping below), not a broken input.
		case sq.Fault == analysis.FaultSparse || sq.Fault == analysis.FaultGaps:
			if q.OK() && !muted {
				addMicFault(&c, sq)
			}
		case sq.Fault == analysis.FaultSilent || sq.Fault == analysis.FaultConstant || sq.Fault == analysis.FaultNearSilent:
			// The microphone went dead while the agent read (a mute button).
			if q.OK() && !muted {
				c.addKey(Fail, "mic_dead", "check.msg.speech_silent")
			}
		case sst.ClipPercent > pol.MaxClipPercent:
			c.add(Fail, "mic_clipping", sst.ClipPercent)
		case sp.ActiveLevelDBFS < pol.MinSpeechDBFS:
			c.add(Fail, "speech_low", sp.ActiveLevelDBFS)
		case sp.ActiveLevelDBFS < pol.WarnSpeechDBFS:
			c.add(Warn, "speech_quiet", sp.ActiveLevelDBFS)
		}
		if q.OK() && !muted && sq.OK() {
			ct := analysis.MeasureCloseTalk(speech, room)
			f.CloseTalk = &ct
			f.Proximity = proximity(ct, pol)
			if f.Proximity == ProximityDistant {
				c.add(Warn, "speech_distant")
			}
		}
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "mic_ok")
	}
	return c
}
