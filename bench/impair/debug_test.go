package impairbench

import (
	"os"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
)

// TestScoreKept scores a kept recording against a speech file
// (IMPAIR_SCORE=room.wav,speech.wav); a tool for looking at one run.
func TestScoreKept(t *testing.T) {
	spec := os.Getenv("IMPAIR_SCORE")
	if spec == "" {
		t.Skip("IMPAIR_SCORE=room.wav,speech.wav not set")
	}
	var room, sp string
	for i, c := range spec {
		if c == ',' {
			room, sp = spec[:i], spec[i+1:]
		}
	}
	_, ear, err := loadStereo(room)
	if err != nil {
		t.Fatal(err)
	}
	a, err := audiocmp.Load(sp)
	if err != nil {
		t.Fatal(err)
	}
	sc := Compare(a.Samples, ear, time.Duration(len(ear))*time.Second/48000)
	t.Logf("bad %.1f%% LSD %.1f env %.3f delay %v", sc.BadPercent, sc.LSD, sc.EnvCorr, sc.Delay)
	t.Logf("block lags (ms): %v", func() (o []int) {
		for _, l := range sc.blockLags {
			o = append(o, l/48)
		}
		return
	}())
	t.Logf("bad frames: %v", sc.badFrames)
	s8, r8 := decimate6(a.Samples), decimate6(ear)
	t.Logf("envelope lag %v", time.Duration(envelopeLag(s8, r8, len(r8)/80))*time.Second/8000)
}
