package core

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media/analysis"
)

// The check as the agent at the screen lives it: the microphone's live
// level and the countdowns of the quiet room and of the read sentence come
// from the check's own captures (checkAudio wraps the devices the check
// opens), the voice advice from the same frames.

// Live meter cadence and the voice advice's window, in 20 ms frames.
const (
	meterEveryFrames = 5  // 10 updates a second
	hintAfterFrames  = 50 // 1 s of reading before any advice
	hintWindowFrames = 75 // advice from the last 1.5 s
	frameSeconds     = float64(precheck.FrameSamples) / 48000
	// clipSample: a sample this close to full scale is clipped.
	clipSample = 32000
	// meterFloorDBFS is the meter's empty end; 0 dBFS its full end.
	meterFloorDBFS = -60
)

// checkMeter follows one run of the check: which audio step is under way
// (from the check's progress), the frames captured for it, and sends the
// agent the live level with that step's countdown.
type checkMeter struct {
	agent    ui.CheckAgent
	pol      config.MicrophonePolicy
	roomSecs float64

	mu      sync.Mutex
	base    ui.CheckProgress // the last step, its text and count
	phase   string           // the audio check under way (leak, room, microphone)
	reading bool             // the agent started reading: the next capture is the sentence
	capture string           // the phase the open capture belongs to
	frames  int              // frames of the open capture
	peak    float64          // loudest frame since the last update, dBFS
	recent  []float64        // the sentence's last frames, dBFS
	clipped []bool
}

func newCheckMeter(agent ui.CheckAgent, pol config.ChecksPolicy, roomSecs float64) *checkMeter {
	if roomSecs <= 0 {
		roomSecs = pol.Room.CaptureSeconds
	}
	return &checkMeter{agent: agent, pol: pol.Microphone, roomSecs: roomSecs, peak: math.Inf(-1)}
}

// step notes a progress step and passes it on.
func (m *checkMeter) step(p ui.CheckProgress, check string, done bool) {
	m.mu.Lock()
	if !done && check != config.CheckNetwork {
		m.phase = check
	}
	// The network runs beside the audio steps: its news never hides what
	// the agent is asked to do (stay quiet, read).
	keepText := check == config.CheckNetwork && !done && m.phase != ""
	if keepText {
		p.Current = m.base.Current
	}
	m.base = p
	m.mu.Unlock()
	m.agent.Progress(p)
}

// startReading: the agent pressed Start reading.
func (m *checkMeter) startReading() {
	m.mu.Lock()
	m.reading = true
	m.mu.Unlock()
}

// opened: a capture of the check starts.
func (m *checkMeter) opened() {
	m.mu.Lock()
	m.capture, m.frames, m.peak = m.phase, 0, math.Inf(-1)
	if m.capture == config.CheckMicrophone && !m.reading {
		m.capture = "" // not the sentence
	}
	m.recent, m.clipped = m.recent[:0], m.clipped[:0]
	m.mu.Unlock()
}

// closed: the capture ended; the meter drops and the sentence is over.
func (m *checkMeter) closed() {
	m.mu.Lock()
	if m.capture == config.CheckMicrophone {
		m.reading = false
	}
	m.capture = ""
	p := m.base
	m.mu.Unlock()
	m.agent.Progress(p)
}

// frame meters one captured frame.
func (m *checkMeter) frame(pcm []int16) {
	var sum float64
	clipped := false
	for _, s := range pcm {
		v := float64(s)
		sum += v * v
		if s >= clipSample || s <= -clipSample {
			clipped = true
		}
	}
	db := math.Inf(-1)
	if sum > 0 {
		db = 10 * math.Log10(sum/float64(len(pcm))/(32768*32768))
	}
	m.mu.Lock()
	m.frames++
	m.peak = max(m.peak, db)
	reading := m.capture == config.CheckMicrophone
	if reading {
		if len(m.recent) == hintWindowFrames {
			m.recent, m.clipped = m.recent[1:], m.clipped[1:]
		}
		m.recent = append(m.recent, db)
		m.clipped = append(m.clipped, clipped)
	}
	if m.frames%meterEveryFrames != 0 {
		m.mu.Unlock()
		return
	}
	p := m.base
	p.MicLevel = meterLevel(m.peak)
	m.peak = math.Inf(-1)
	elapsed := float64(m.frames) * frameSeconds
	switch m.capture {
	case config.CheckRoom:
		p.QuietLeft = secondsLeft(m.roomSecs, elapsed)
	case config.CheckMicrophone:
		p.Reading = true
		p.ReadLeft = secondsLeft(m.pol.SpeechSeconds, elapsed)
		if m.frames >= hintAfterFrames {
			p.Voice = voiceHint(m.recent, m.clipped, m.pol)
		}
	}
	m.mu.Unlock()
	m.agent.Progress(p)
}

func secondsLeft(total, elapsed float64) time.Duration {
	return max(0, time.Duration((total-elapsed)*float64(time.Second)))
}

// meterLevel maps dBFS to the meter: -60 dBFS empty, 0 dBFS full.
func meterLevel(db float64) float64 {
	if math.IsInf(db, -1) {
		return 0
	}
	return min(1, max(0, (db-meterFloorDBFS)/-meterFloorDBFS))
}

// voiceHint advises on the voice from the sentence's last frames: digital
// silence is a muted microphone; even the loudest frame under the speech
// limit is too faint; clipping is too loud. The check's verdict comes from
// the whole recording (app/precheck); this only helps while reading.
func voiceHint(recent []float64, clipped []bool, pol config.MicrophonePolicy) ui.VoiceHint {
	loudest := math.Inf(-1)
	clips := 0
	for i, db := range recent {
		loudest = max(loudest, db)
		if clipped[i] {
			clips++
		}
	}
	switch {
	case loudest < pol.DeadBelowDBFS:
		return ui.VoiceSilent
	case clips >= 3:
		return ui.VoiceLoud
	case loudest < pol.MinSpeechDBFS:
		return ui.VoiceQuiet
	}
	return ui.VoiceGood
}

// checkAudio is the check's audio backend with the live meter on every
// capture it opens, and the output it played on remembered for "Play
// again".
type checkAudio struct {
	precheck.Audio
	meter *checkMeter

	mu     sync.Mutex
	output string
	played bool
}

func (a *checkAudio) OpenCapture(name string) (precheck.Source, error) {
	src, err := a.Audio.OpenCapture(name)
	if err != nil {
		return nil, err
	}
	a.meter.opened()
	return &meteredSource{Source: src, meter: a.meter}, nil
}

func (a *checkAudio) OpenPlayback(name string) (precheck.Sink, error) {
	a.mu.Lock()
	a.output, a.played = name, true
	a.mu.Unlock()
	return a.Audio.OpenPlayback(name)
}

// Close leaves the devices to the wrapped backend's owner.
func (a *checkAudio) Close() error { return nil }

// replay plays the test sound again on the output the check played it on:
// the same probe, then a moment of silence so it is heard to the end.
func (a *checkAudio) replay(pol config.LeakPolicy) func(context.Context) error {
	return func(ctx context.Context) error {
		a.mu.Lock()
		out, played := a.output, a.played
		a.mu.Unlock()
		if !played {
			return errors.New("the test sound has not played yet")
		}
		sink, err := a.Audio.OpenPlayback(out)
		if err != nil {
			return err
		}
		defer sink.Close()
		pcm := analysis.FloatToInt16(analysis.Probe(pol.ProbeMS, pol.ProbeLevelDBFS, replaySeed))
		tail := 25 // 0.5 s of silence: the device's buffer plays out before Close
		frame := make([]int16, precheck.FrameSamples)
		for i := 0; i < len(pcm)+tail*len(frame); i += len(frame) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			clear(frame)
			if i < len(pcm) {
				copy(frame, pcm[i:min(i+len(frame), len(pcm))])
			}
			if err := sink.Write(frame); err != nil {
				return err
			}
		}
		return nil
	}
}

// replaySeed makes the replayed probe a fixed sound.
const replaySeed = 0x7265706c6179

// hasMonitor tells whether the backend can listen to what the output
// plays: then the check confirms the speaker by itself; otherwise it asks
// the agent. Any failure other than "no monitor here" is left to the
// check, which reports it.
func hasMonitor(a precheck.Audio, output string) bool {
	src, err := a.MonitorOf(output)
	if errors.Is(err, precheck.ErrNoMonitor) {
		return false
	}
	if err == nil {
		_ = src.Close()
	}
	return true
}

// meteredSource passes each frame read to the meter.
type meteredSource struct {
	precheck.Source
	meter *checkMeter
	once  sync.Once
}

func (s *meteredSource) Read(frame []int16) error {
	if err := s.Source.Read(frame); err != nil {
		return err
	}
	s.meter.frame(frame)
	return nil
}

func (s *meteredSource) Close() error {
	err := s.Source.Close()
	s.once.Do(s.meter.closed)
	return err
}
