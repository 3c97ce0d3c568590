package precheck

import (
	"errors"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// quietOutputDB: a probe that reaches the output's monitor this far below
// what was sent plays too quietly to prove anything about leaks (open
// speakers 5 dB from the microphone would read as 35 dB).
const quietOutputDB = 30

// leakUnverifiedKeys: why the leak test could not measure, by capture fault.
var leakUnverifiedKeys = map[analysis.Fault]string{
	analysis.FaultShort:      "check.msg.leak_unverified_short",
	analysis.FaultSilent:     "check.msg.leak_unverified_silent",
	analysis.FaultConstant:   "check.msg.leak_unverified_silent",
	analysis.FaultNearSilent: "check.msg.leak_unverified_silent",
	analysis.FaultRail:       "check.msg.leak_unverified_broken",
	analysis.FaultSparse:     "check.msg.leak_unverified_broken",
	analysis.FaultGaps:       "check.msg.leak_unverified_gaps",
}

// judgeLeakAndSpeaker rates one probe playback: micX is what the microphone
// heard, monX what the output's monitor heard (nil when the backend has no
// monitor; monErr says why). headless makes the monitor the speaker test.
//
// The leak test proves that the output is not open speakers only when it
// could have heard them: the microphone delivered live sound (no silence,
// stuck value, rail, dropouts, short capture) and the probe really played.
// Anything else is "could not verify" (error), never a pass.
func judgeLeakAndSpeaker(probe, micX, monX []float32, monErr error, pol config.ChecksPolicy, headless bool) (leak, speaker CheckResult) {
	leak = CheckResult{Name: config.CheckLeak, Verdict: Pass}
	speaker = CheckResult{Name: config.CheckSpeaker, Verdict: Pass}
	q := analysis.CheckCapture(micX, len(probe)+msToSamples(leakTailMS), pol.Microphone.DeadBelowDBFS)
	l := analysis.MeasureLeak(probe, micX, leakTailMS)
	f := LeakFigures{Leak: roundLeak(l), ProbeLevelDBFS: pol.Leak.ProbeLevelDBFS, ProbeMS: pol.Leak.ProbeMS,
		MinLossDB: pol.Leak.MinLossDB, Capture: roundCapture(q)}
	var mon *analysis.Leak
	if monX != nil {
		m := analysis.MeasureLeak(probe, monX, leakTailMS)
		mon = &m
		played := m.Detected
		f.ProbePlayed = &played
		if m.Detected {
			g := round1(-m.LossDB)
			f.OutputGainDB = &g
		}
	}
	leak.Figures = f
	noMonitor := errors.Is(monErr, ErrNoMonitor)
	if headless {
		switch {
		case mon != nil:
			judgeSpeakerMonitor(&speaker, *mon)
		case noMonitor:
			speaker.Figures = SpeakerFigures{Method: "none"}
			speaker.add(Warn, "speaker_unverified")
		default:
			speaker.add(Error, "speaker_capture", errText(monErr))
		}
	}
	switch {
	case micX == nil:
		leak.addKey(Error, "leak_unverified", "check.msg.leak_unverified_stalled")
	case !q.OK():
		leak.addKey(Error, "leak_unverified", leakUnverifiedKeys[q.Fault])
	case mon == nil && headless && !noMonitor:
		leak.addKey(Error, "leak_unverified", "check.msg.leak_unverified_no_monitor", errText(monErr))
	case mon != nil && !mon.Detected:
		leak.addKey(Error, "leak_unverified", "check.msg.leak_unverified_not_played")
	case mon != nil && mon.LossDB > quietOutputDB:
		leak.addKey(Error, "leak_unverified", "check.msg.leak_unverified_quiet", wholeDB(-mon.LossDB))
	case mon == nil && headless && !l.Detected:
		// Nothing can confirm the probe played (no monitor, nobody to ask):
		// an echo found proves speakers, no echo proves nothing.
		judgeLeak(&leak, l, pol.Leak)
		leak = unverifiedLeakAs(leak, Warn, "leak_unconfirmed", "check.msg.leak_unconfirmed")
	default:
		judgeLeak(&leak, l, pol.Leak)
	}
	return leak, speaker
}

// unverifiedLeak turns a leak result into "could not verify" for a reason
// found outside the captures (the output muted, the agent did not hear the
// probe): its figures stay, its verdict and findings go.
func unverifiedLeak(c CheckResult, key string) CheckResult {
	return unverifiedLeakAs(c, Error, "leak_unverified", key)
}

// unverifiedLeakAs replaces a passing or warning leak result with one
// finding; errors and failures (an echo found) stand.
func unverifiedLeakAs(c CheckResult, v Verdict, code, key string) CheckResult {
	if c.Verdict == Error || c.Verdict == Fail {
		return c
	}
	out := CheckResult{Name: c.Name, Verdict: Pass, Figures: c.Figures}
	out.addKey(v, code, key)
	return out
}

func judgeLeak(c *CheckResult, l analysis.Leak, pol config.LeakPolicy) {
	switch {
	case l.Detected && l.LossDB < pol.MinLossDB:
		c.add(Fail, "leak_high", wholeDB(l.LossDB), pol.MinLossDB)
	case l.Detected && l.LossDB < pol.WarnLossDB:
		c.add(Warn, "leak_marginal", wholeDB(l.LossDB))
	case l.Detected:
		c.add(Pass, "leak_low", wholeDB(l.LossDB))
	case l.LimitDB < pol.MinLossDB:
		c.add(Warn, "leak_unmeasurable", l.LimitDB)
	default:
		c.add(Pass, "leak_none", l.LimitDB)
	}
}

// judgeSpeakerMonitor: the probe must appear in the output's own monitor;
// absent means muted or zero volume, far below means a very low volume.
func judgeSpeakerMonitor(c *CheckResult, m analysis.Leak) {
	f := SpeakerFigures{Method: "monitor", Heard: m.Detected}
	if m.Detected {
		g := round1(-m.LossDB)
		f.GainDB = &g
	}
	c.Figures = f
	switch {
	case !m.Detected:
		c.add(Fail, "speaker_silent")
	case m.LossDB > quietOutputDB:
		c.add(Warn, "speaker_quiet", -m.LossDB)
	default:
		c.add(Pass, "speaker_ok")
	}
}

func errText(err error) string {
	if err == nil {
		return "no monitor"
	}
	return err.Error()
}

func roundCapture(c analysis.Capture) analysis.Capture {
	c.Seconds, c.ACLevelDBFS, c.GapMS, c.LongestGapMS = round1(c.Seconds), round1(c.ACLevelDBFS), round1(c.GapMS), round1(c.LongestGapMS)
	c.RailPercent, c.LeadMS = round1(c.RailPercent), round1(c.LeadMS)
	return c
}
