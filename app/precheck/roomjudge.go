package precheck

import (
	"slices"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// Causes of room noise, named in the findings' texts and in the room
// figures, so the agent is told what to switch off or shut out.
const (
	CauseSteady = "steady" // broadband and steady: a fan, ventilation, traffic
	CauseHum    = "hum"    // sustained partials that stay: a fridge, a transformer, a motor's whine
	CauseVoices = "voices" // talk: TV, radio, people
	CauseMusic  = "music"  // sustained partials that change: radio, playlist, instrument
	CauseEvents = "events" // intermittent noises: a dog barking, doors, knocking
	CauseAgent  = "agent"  // the agent's own voice, close to the microphone
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

// The texts of the level findings, by the cause they are put down to.
var (
	steadyKeys = map[string][2]string{ // fail, warn
		CauseSteady: {"check.msg.room_noisy", "check.msg.room_background"},
		CauseHum:    {"check.msg.room_noisy_hum", "check.msg.room_background_hum"},
		CauseMusic:  {"check.msg.room_noisy_music", "check.msg.room_background_music"},
	}
	eventKeys = map[string][2]string{ // frequent (L10), loudest (Lmax)
		CauseEvents: {"check.msg.room_events", "check.msg.room_loud_event"},
		CauseVoices: {"check.msg.room_events_voices", "check.msg.room_loud_event_voices"},
		CauseMusic:  {"check.msg.room_events_music", "check.msg.room_loud_event_music"},
	}
)

// Frequent or loud levels count as events only when they stand out of the
// steady background: a loud fan also has a high L10, but no events.
const (
	eventOverSteadyDB = 3 // L10 over L90
	peakOverSteadyDB  = 6 // Lmax over L90
)

// judgeRoom applies the room policy to a silent-agent capture. calib is nil
// when IT gave no offset for this microphone. A capture that is not live
// sound from a working microphone (see analysis.CheckCapture) is never
// rated: a dead input is not a quiet room, a square wave is not a noisy one.
//
// Each finding names its cause. The steady background (L90) is music when
// music is heard, a machine when sustained partials stay put, else broadband
// noise (a fan); voices never explain it (speech has gaps). Frequent or loud
// events (L10, Lmax) are music or voices when those are heard, else
// intermittent noises: a dog's barks are bursts, not talk.
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
	f := RoomFigures{Levels: roundLevels(lv), Voice: analysis.DetectVoice(x), Tonal: analysis.DetectTonal(x),
		CaptureSeconds: float64(len(x)) / analysis.SampleRate}
	c.Figures = &f
	if f.Voice.Detected {
		// The agent's own voice is close-talk and at a speaking level
		// (checks.microphone.min_speech_dbfs); a TV or a person across the
		// room is neither. The room was
		// not silent, so it was not measured. (Checked before music: a
		// steady-pitched voice heard close holds its partials like notes.)
		ct := analysis.MeasureCloseTalk(x, nil)
		if proximity(ct, pol.Microphone) == ProximityClose && analysis.SpeechLevel(x).ActiveLevelDBFS >= pol.Microphone.MinSpeechDBFS {
			f.Causes = []string{CauseAgent}
			c.add(Error, "room_agent_spoke")
			return c
		}
	}
	music := f.Tonal.Music
	voices := f.Voice.Detected && !music
	steady := CauseSteady
	switch {
	case music:
		steady = CauseMusic
	case f.Tonal.Machine || f.Voice.Tonal:
		steady = CauseHum
	}
	events := CauseEvents
	switch {
	case music:
		events = CauseMusic
	case voices:
		events = CauseVoices
	}
	name := func(cause string) {
		if !slices.Contains(f.Causes, cause) {
			f.Causes = append(f.Causes, cause)
		}
	}
	if calib != nil {
		l90, leq := round1(lv.L90A+*calib), round1(lv.LeqA+*calib)
		f.L90DBA, f.LeqDBA, f.CalibrationDB = &l90, &leq, calib
		if l90 > rp.MaxDBA {
			c.add(Fail, "room_noisy_dba", l90, rp.MaxDBA)
			name(steady)
		}
	}
	switch {
	case lv.L90A > rp.MaxL90DBFS:
		c.addKey(Fail, "room_noisy", steadyKeys[steady][0], lv.L90A, rp.MaxL90DBFS)
		name(steady)
	case lv.L90A > rp.WarnL90DBFS:
		c.addKey(Warn, "room_background", steadyKeys[steady][1], lv.L90A)
		name(steady)
	}
	// A loudness finding for voices or music says little more than the
	// voices or music finding, unless IT rates those below fail.
	sourceVerdict := map[string]Verdict{CauseVoices: Verdict(rp.Voices), CauseMusic: Verdict(rp.Music)}
	loudness := func(v Verdict, code, key string, args ...any) {
		if sv, ok := sourceVerdict[events]; ok && sv.rank() >= v.rank() {
			return
		}
		c.addKey(v, code, key, args...)
		name(events)
	}
	switch {
	case lv.L10A > rp.MaxL10DBFS && lv.L10A-lv.L90A >= eventOverSteadyDB:
		loudness(Fail, "room_events", eventKeys[events][0], lv.L10A, rp.MaxL10DBFS)
	case lv.L10A > rp.MaxL10DBFS: // the steady background itself: its finding covers it
	case lv.LmaxA > rp.MaxLmaxDBFS && lv.LmaxA-lv.L90A >= peakOverSteadyDB:
		loudness(Warn, "room_loud_event", eventKeys[events][1], lv.LmaxA)
	}
	if music {
		c.add(Verdict(rp.Music), "room_music")
		name(CauseMusic)
	}
	if voices {
		c.add(Verdict(rp.Voices), "room_voices")
		name(CauseVoices)
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "room_quiet", lv.L90A)
	}
	return c
}
