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
	// Capture is the health of the microphone capture: with a fault the
	// test could not measure.
	Capture analysis.Capture `json:"capture"`
	// ProbePlayed: the probe was found in the output's monitor (absent
	// when the backend has no monitor).
	ProbePlayed *bool `json:"probe_played,omitempty"`
	// OutputGainDB is the probe's level in the monitor relative to what was sent.
	OutputGainDB *float64 `json:"output_gain_db,omitempty"`
}

// SpeakerFigures say how the output was confirmed.
type SpeakerFigures struct {
	Method string `json:"method"` // "monitor" (headless), "agent" (GUI), "none" (headless, no monitor)
	Heard  bool   `json:"heard"`
	// GainDB is the probe's level in the output's monitor relative to what was sent.
	GainDB *float64 `json:"gain_db,omitempty"`
}

// leakAndSpeaker plays the probe on out while capturing in (leak) and out's
// monitor when the backend has one. One playback serves both checks. The
// monitor proves that the probe played (without that, its absence in the
// microphone proves nothing); headless it is also the speaker test. A
// backend without monitors (ErrNoMonitor: PortAudio, Wine) leaves the
// speaker unverified; any other monitor failure is an error.
func leakAndSpeaker(ctx context.Context, a Audio, out, in string, pol config.ChecksPolicy, headless bool) (leak, speaker CheckResult, err error) {
	probe := analysis.Probe(pol.Leak.ProbeMS, pol.Leak.ProbeLevelDBFS, probeSeed)
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
	mon, monErr := a.MonitorOf(out)
	if monErr != nil && headless && !errors.Is(monErr, ErrNoMonitor) {
		mic.Close()
		return leak, speaker, fmt.Errorf("open the output's monitor: %w", monErr)
	}
	var wg sync.WaitGroup
	var micX, monX []float32
	var micErr error
	wg.Go(func() { micX, micErr = captureBounded(ctx, mic, n) })
	if mon != nil {
		wg.Go(func() { monX, monErr = captureBounded(ctx, mon, n) })
	}
	err = playSamples(sink, probe)
	wg.Wait()
	if err != nil {
		return leak, speaker, fmt.Errorf("play the probe: %w", err)
	}
	if micErr != nil && !errors.Is(micErr, ErrCaptureStalled) {
		return leak, speaker, micErr
	}
	leak, speaker = judgeLeakAndSpeaker(probe, micX, monX, monErr, pol, headless)
	return leak, speaker, nil
}

// RoomFigures keep figures only, never the audio.
type RoomFigures struct {
	analysis.Levels
	L90DBA         *float64       `json:"l90_dba,omitempty"` // with an IT calibration offset
	LeqDBA         *float64       `json:"leq_dba,omitempty"`
	CalibrationDB  *float64       `json:"calibration_offset_db,omitempty"`
	Voice          analysis.Voice `json:"voice"`
	Tonal          analysis.Tonal `json:"tonal"`
	CaptureSeconds float64        `json:"capture_seconds"`
	// Causes names what the findings put the noise down to (steady, hum,
	// voices, music, events), worst first.
	Causes []string `json:"causes,omitempty"`
}

// MicFigures describe the microphone signal.
type MicFigures struct {
	analysis.SignalStats
	Muted  bool             `json:"muted"`
	Speech *analysis.Speech `json:"speech,omitempty"`
	// Capture is the health of the silent-room capture.
	Capture analysis.Capture `json:"capture"`
	// CloseTalk and Proximity: where the microphone is, from the read
	// sentence (close, distant or unclear); absent when nobody read.
	CloseTalk *analysis.CloseTalk `json:"close_talk,omitempty"`
	Proximity string              `json:"proximity,omitempty"`
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
