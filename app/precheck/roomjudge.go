package precheck

import (
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// roomFaultKeys: why the room could not be measured, by capture fault.
var roomFaultKeys = map[analysis.Fault]struct{ code, key string }{
	analysis.FaultSilent:     {"room_no_signal", "check.msg.room_no_signal"},
	analysis.FaultConstant:   {"room_no_signal", "check.msg.room_no_signal"},
	analysis.FaultNearSilent: {"room_no_signal", "check.msg.room_no_signal"},
	analysis.FaultRail:       {"room_bad_input", "check.msg.room_bad_input"},
	analysis.FaultSparse:     {"room_bad_input", "check.msg.room_bad_input"},
	analysis.FaultGaps:       {"room_gaps", "check.msg.room_gaps"},
	analysis.FaultShort:      {"room_gaps", "check.msg.room_gaps"},
}

// judgeRoom applies the room policy to a silent-agent capture. calib is nil
// when IT gave no offset for this microphone. A capture that is not live
// sound from a working microphone (see analysis.CheckCapture) is never
// rated: a dead input is not a quiet room, a square wave is not a noisy one.
func judgeRoom(x []float32, pol config.ChecksPolicy, calib *float64) CheckResult {
	c := CheckResult{Name: config.CheckRoom, Verdict: Pass}
	q := analysis.CheckCapture(x, len(x), pol.Microphone.DeadBelowDBFS)
	if !q.OK() {
		k := roomFaultKeys[q.Fault]
		c.addKey(Error, k.code, k.key)
		return c
	}
	rp := pol.Room
	lv := analysis.RoomLevels(x)
	f := RoomFigures{Levels: lv, Voice: analysis.DetectVoice(x), CaptureSeconds: float64(len(x)) / analysis.SampleRate}
	f.Levels = roundLevels(lv)
	c.Figures = &f
	if calib != nil {
		l90, leq := round1(lv.L90A+*calib), round1(lv.LeqA+*calib)
		f.L90DBA, f.LeqDBA, f.CalibrationDB = &l90, &leq, calib
		if l90 > rp.MaxDBA {
			c.add(Fail, "room_noisy_dba", l90, rp.MaxDBA)
		}
	}
	switch {
	case lv.L90A > rp.MaxL90DBFS:
		c.add(Fail, "room_noisy", lv.L90A, rp.MaxL90DBFS)
	case lv.L90A > rp.WarnL90DBFS:
		c.add(Warn, "room_background", lv.L90A)
	}
	if lv.L10A > rp.MaxL10DBFS {
		c.add(Fail, "room_events", lv.L10A, rp.MaxL10DBFS)
	} else if lv.LmaxA > rp.MaxLmaxDBFS {
		c.add(Warn, "room_loud_event", lv.LmaxA)
	}
	if f.Voice.Detected {
		c.add(Verdict(rp.Voices), "room_voices")
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "room_quiet", lv.L90A)
	}
	return c
}
