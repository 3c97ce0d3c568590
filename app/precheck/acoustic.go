package precheck

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// leakTailMS is captured after the probe ends: the longest output-to-input
// delay the leak test can see (device buffers plus room).
const leakTailMS = 1000

// probeSeed fixes the probe so figures are reproducible.
const probeSeed = 0x486f6d6573686f72

// LeakFigures are the leak test's measurements.
type LeakFigures struct {
	analysis.Leak
	ProbeLevelDBFS float64 `json:"probe_level_dbfs"`
	ProbeMS        int     `json:"probe_ms"`
	MinLossDB      float64 `json:"min_loss_db"`
}

// SpeakerFigures say how the output was confirmed.
type SpeakerFigures struct {
	Method string `json:"method"` // "monitor" (headless), "agent" (GUI), "none" (headless, no monitor)
	Heard  bool   `json:"heard"`
	// GainDB is the probe's level in the output's monitor relative to what was sent.
	GainDB *float64 `json:"gain_db,omitempty"`
}

// leakAndSpeaker plays the probe on out while capturing in (leak) and, when
// headless, out's monitor (speaker). One playback serves both checks.
func leakAndSpeaker(ctx context.Context, a Audio, out, in string, pol config.LeakPolicy, monitor bool) (leak, speaker CheckResult, err error) {
	leak = CheckResult{Name: config.CheckLeak, Verdict: Pass}
	speaker = CheckResult{Name: config.CheckSpeaker, Verdict: Pass}
	probe := analysis.Probe(pol.ProbeMS, pol.ProbeLevelDBFS, probeSeed)
	n := len(probe) + msToSamples(leakTailMS)
	// The output opens first and plays silence: some sinks take a moment to
	// start, and the capture window must not begin before the output runs.
	sink, err := a.OpenPlayback(out)
	if err != nil {
		return leak, speaker, fmt.Errorf("open the output: %w", err)
	}
	defer sink.Close()
	mic, err := a.OpenCapture(in)
	if err != nil {
		return leak, speaker, fmt.Errorf("open microphone: %w", err)
	}
	var mon Source
	unverified := false
	if monitor {
		mon, err = a.MonitorOf(out)
		switch {
		case errors.Is(err, ErrNoMonitor):
			// No monitor on this system (docs/precheck.md, "Speaker test"):
			// the leak test still runs; the speaker is reported unverified.
			unverified = true
		case err != nil:
			mic.Close()
			return leak, speaker, fmt.Errorf("open the output's monitor: %w", err)
		}
	}
	var wg sync.WaitGroup
	var micX, monX []float32
	var micErr, monErr error
	wg.Go(func() { micX, micErr = captureSamples(ctx, mic, n) })
	if mon != nil {
		wg.Go(func() { monX, monErr = captureSamples(ctx, mon, n) })
	}
	err = playSamples(sink, probe)
	wg.Wait()
	if err != nil {
		return leak, speaker, fmt.Errorf("play the probe: %w", err)
	}
	if micErr != nil {
		return leak, speaker, micErr
	}
	l := analysis.MeasureLeak(probe, micX, leakTailMS)
	leak.Figures = LeakFigures{Leak: roundLeak(l), ProbeLevelDBFS: pol.ProbeLevelDBFS, ProbeMS: pol.ProbeMS, MinLossDB: pol.MinLossDB}
	judgeLeak(&leak, l, pol)
	if unverified {
		speaker.Figures = SpeakerFigures{Method: "none"}
		speaker.add(Warn, "speaker_unverified")
	}
	if mon != nil {
		if monErr != nil {
			speaker.add(Error, "speaker_capture", monErr.Error())
		} else {
			judgeSpeakerMonitor(&speaker, analysis.MeasureLeak(probe, monX, leakTailMS))
		}
	}
	return leak, speaker, nil
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
	case m.LossDB > 30:
		c.add(Warn, "speaker_quiet", -m.LossDB)
	default:
		c.add(Pass, "speaker_ok")
	}
}

// RoomFigures keep figures only, never the audio.
type RoomFigures struct {
	analysis.Levels
	L90DBA         *float64       `json:"l90_dba,omitempty"` // with an IT calibration offset
	LeqDBA         *float64       `json:"leq_dba,omitempty"`
	CalibrationDB  *float64       `json:"calibration_offset_db,omitempty"`
	Voice          analysis.Voice `json:"voice"`
	CaptureSeconds float64        `json:"capture_seconds"`
}

// MicFigures describe the microphone signal.
type MicFigures struct {
	analysis.SignalStats
	Muted  bool             `json:"muted"`
	Speech *analysis.Speech `json:"speech,omitempty"`
}

// judgeRoom applies the room policy to a silent-agent capture. calib is nil
// when IT gave no offset for this microphone.
func judgeRoom(x []float32, pol config.RoomPolicy, calib *float64) CheckResult {
	c := CheckResult{Name: config.CheckRoom, Verdict: Pass}
	st := analysis.Stats(x)
	if st.DigitalZero || st.Constant {
		c.add(Error, "room_no_signal")
		return c
	}
	lv := analysis.RoomLevels(x)
	f := RoomFigures{Levels: lv, Voice: analysis.DetectVoice(x), CaptureSeconds: float64(len(x)) / analysis.SampleRate}
	f.Levels = roundLevels(lv)
	c.Figures = &f
	if calib != nil {
		l90, leq := round1(lv.L90A+*calib), round1(lv.LeqA+*calib)
		f.L90DBA, f.LeqDBA, f.CalibrationDB = &l90, &leq, calib
		if l90 > pol.MaxDBA {
			c.add(Fail, "room_noisy_dba", l90, pol.MaxDBA)
		}
	}
	switch {
	case lv.L90A > pol.MaxL90DBFS:
		c.add(Fail, "room_noisy", lv.L90A, pol.MaxL90DBFS)
	case lv.L90A > pol.WarnL90DBFS:
		c.add(Warn, "room_background", lv.L90A)
	}
	if lv.L10A > pol.MaxL10DBFS {
		c.add(Fail, "room_events", lv.L10A, pol.MaxL10DBFS)
	} else if lv.LmaxA > pol.MaxLmaxDBFS {
		c.add(Warn, "room_loud_event", lv.LmaxA)
	}
	if f.Voice.Detected {
		c.add(Verdict(pol.Voices), "room_voices")
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "room_quiet", lv.L90A)
	}
	return c
}

// judgeMic checks the silent-room capture for a dead, muted or clipping
// microphone and, when given, the agent's speech level.
func judgeMic(room []float32, speech []float32, muted bool, pol config.MicrophonePolicy) CheckResult {
	c := CheckResult{Name: config.CheckMicrophone, Verdict: Pass}
	st := analysis.Stats(room)
	f := MicFigures{SignalStats: roundStats(st), Muted: muted}
	c.Figures = &f
	switch {
	case muted:
		c.add(Fail, "mic_muted")
	case st.DigitalZero:
		c.add(Fail, "mic_dead")
	case st.Constant:
		c.add(Fail, "mic_stuck")
	case st.RMSDBFS < pol.DeadBelowDBFS:
		c.addKey(Fail, "mic_dead", "check.msg.mic_near_silent")
	}
	if speech != nil {
		sp := analysis.SpeechLevel(speech)
		sp.ActiveLevelDBFS = round1(sp.ActiveLevelDBFS)
		sp.ActivityPercent = round1(sp.ActivityPercent)
		f.Speech = &sp
		sst := analysis.Stats(speech)
		switch {
		case sst.ClipPercent > pol.MaxClipPercent:
			c.add(Fail, "mic_clipping", sst.ClipPercent)
		case sp.ActiveLevelDBFS < pol.MinSpeechDBFS:
			c.add(Fail, "speech_low", sp.ActiveLevelDBFS)
		case sp.ActiveLevelDBFS < pol.WarnSpeechDBFS:
			c.add(Warn, "speech_quiet", sp.ActiveLevelDBFS)
		}
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "mic_ok")
	}
	return c
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func roundLevels(l analysis.Levels) analysis.Levels {
	return analysis.Levels{LeqA: round1(l.LeqA), L10A: round1(l.L10A), L50A: round1(l.L50A), L90A: round1(l.L90A), LmaxA: round1(l.LmaxA)}
}

func roundLeak(l analysis.Leak) analysis.Leak {
	l.LossDB, l.DelayMS, l.PeakToFloorDB, l.LimitDB = round1(l.LossDB), round1(l.DelayMS), round1(l.PeakToFloorDB), round1(l.LimitDB)
	return l
}

func roundStats(s analysis.SignalStats) analysis.SignalStats {
	s.RMSDBFS, s.PeakDBFS, s.DCOffsetDBFS = round1(s.RMSDBFS), round1(s.PeakDBFS), round1(s.DCOffsetDBFS)
	s.ClipPercent = math.Round(s.ClipPercent*1000) / 1000
	return s
}

// wholeDB rounds a level for a message; a loss just under zero reads 0 dB,
// not "-0 dB".
func wholeDB(db float64) int { return int(math.Round(db)) }
