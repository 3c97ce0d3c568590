package testenv

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func soxInfo(t *testing.T, wav string) string {
	t.Helper()
	out, err := exec.Command("soxi", wav).CombinedOutput()
	if err != nil {
		t.Fatalf("soxi %s: %v\n%s", wav, err, out)
	}
	return string(out)
}

func TestEspeakWritesSpeechAt48kMono(t *testing.T) {
	t.Parallel()
	wav := Espeak(t, "Hello, this is Homeshore.")
	info := soxInfo(t, wav)
	for _, want := range []string{"Sample Rate    : 48000", "Channels       : 1", "Precision      : 16-bit"} {
		if !strings.Contains(info, want) {
			t.Errorf("soxi of espeak WAV lacks %q:\n%s", want, info)
		}
	}
	if again := Espeak(t, "Hello, this is Homeshore."); again != wav {
		t.Errorf("same text gave %s then %s; want the cached file", wav, again)
	}
	if other := Espeak(t, "Something else."); other == wav {
		t.Errorf("different texts share the file %s", wav)
	}
}

func TestToneHasRequestedLength(t *testing.T) {
	t.Parallel()
	wav := Tone(t, 1000, 1500*time.Millisecond)
	info := soxInfo(t, wav)
	if !strings.Contains(info, "00:00:01.50 = 72000 samples") {
		t.Errorf("tone is not 1.5 s at 48 kHz:\n%s", info)
	}
}
