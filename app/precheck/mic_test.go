package precheck

import (
	"path/filepath"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/analysis"
)

// The agent's read sentence (espeak-ng speech from the corpus) at several
// levels: normal passes, quiet warns, too quiet fails, overdriven clips.
func TestMicrophoneSpeechLevels(t *testing.T) {
	dir := corpus(t)
	pcm, err := readWAV(filepath.Join(dir, "tv_en.wav"))
	if err != nil {
		t.Fatal(err)
	}
	speech := analysis.Int16ToFloat(pcm[:4*48000])
	base := analysis.SpeechLevel(speech).ActiveLevelDBFS
	room := analysis.Int16ToFloat(mustWAV(t, filepath.Join(dir, "quiet.wav")))
	pol := config.DefaultPolicy().Checks.Microphone
	for _, c := range []struct {
		levelDBFS float64
		want      Verdict
		code      string
	}{
		{-22, Pass, "mic_ok"},
		{-40, Warn, "speech_quiet"},
		{-55, Fail, "speech_low"},
		{+6, Fail, "mic_clipping"},
	} {
		x := scaleTo(speech, c.levelDBFS-base)
		m := judgeMic(room, x, false, pol)
		f := m.Figures.(*MicFigures)
		if m.Verdict != c.want || m.Findings[0].Code != c.code {
			t.Errorf("speech at %v dBFS: %s %+v (measured %+v)", c.levelDBFS, m.Verdict, m.Findings, f.Speech)
		}
		if c.levelDBFS < 0 && (f.Speech.ActiveLevelDBFS < c.levelDBFS-0.5 || f.Speech.ActiveLevelDBFS > c.levelDBFS+0.5) {
			t.Errorf("active level %v, want %v", f.Speech.ActiveLevelDBFS, c.levelDBFS)
		}
	}
}

func mustWAV(t *testing.T, path string) []int16 {
	t.Helper()
	pcm, err := readWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	return pcm
}

// scaleTo applies a gain in dB with int16 saturation, like a real ADC.
func scaleTo(x []float32, gainDB float64) []float32 {
	g := float32(dbToLin(gainDB))
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = max(-1, min(32767.0/32768, v*g))
	}
	return out
}
