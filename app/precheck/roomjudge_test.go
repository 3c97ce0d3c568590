package precheck

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// A barking dog is intermittent noise, not "background voices … turn off
// the TV or radio" (issue 11), and the text says so.
func TestBarkingDogIsNotVoices(t *testing.T) {
	dir := corpus(t)
	for _, name := range []string{"dog", "tune_dogs_rapid", "tune_dogs_big"} {
		x := analysis.Int16ToFloat(mustWAV(t, filepath.Join(dir, name+".wav")))
		c := judgeRoom(x, config.DefaultPolicy().Checks, nil)
		if hasCode(c, "room_voices") || !hasCode(c, "room_events") {
			t.Errorf("%s: %s", name, dump(c.Findings))
		}
		for _, f := range c.Findings {
			if f.Code == "room_events" && !strings.Contains(f.Message, "dog") {
				t.Errorf("%s: the events finding does not name the cause: %q", name, f.Message)
			}
		}
	}
}

// A square wave at the rails is a broken input, not a noisy room (issue 11:
// it passed as "noisy room" and the microphone passed).
func TestSquareWaveIsABrokenInputNotANoisyRoom(t *testing.T) {
	x := make([]float32, 3*analysis.SampleRate)
	for i := range x {
		x[i] = 32767.0 / 32768
		if (i/48)%2 == 1 {
			x[i] = -1
		}
	}
	pol := config.DefaultPolicy().Checks
	room := judgeRoom(x, pol, nil)
	if room.Verdict != Error || room.Findings[0].Code != "room_bad_input" {
		t.Errorf("room: %s %s", room.Verdict, dump(room.Findings))
	}
	mic := judgeMic(x, nil, false, pol.Microphone)
	if mic.Verdict != Fail || mic.Findings[0].Code != "mic_broken" {
		t.Errorf("microphone: %s %s", mic.Verdict, dump(mic.Findings))
	}
}

// Clipping is judged headless: a silent room whose capture clips means the
// input gain is far too high.
func TestClippingJudgedWithoutSpeech(t *testing.T) {
	x := analysis.Probe(3000, -60, 21)
	for i := 0; i < len(x); i += 400 { // 0.25 % of samples at the rail
		x[i] = 32767.0 / 32768
	}
	mic := judgeMic(x, nil, false, config.DefaultPolicy().Checks.Microphone)
	if mic.Verdict != Fail || mic.Findings[0].Code != "mic_clipping" {
		t.Fatalf("microphone: %s %s", mic.Verdict, dump(mic.Findings))
	}
}

// A microphone muted between the room test and the read sentence is named,
// not taken for a quiet voice.
func TestSpeechCaptureSilentIsNamed(t *testing.T) {
	room := analysis.Probe(3000, -70, 22)
	m := judgeMic(room, make([]float32, 4*analysis.SampleRate), false, config.DefaultPolicy().Checks.Microphone)
	if m.Verdict != Fail || m.Findings[0].Key != "check.msg.speech_silent" {
		t.Fatalf("microphone: %s %s", m.Verdict, dump(m.Findings))
	}
}
