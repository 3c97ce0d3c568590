package testenv

import (
	"encoding/binary"
	"io"
	"math"
	"os/exec"
	"testing"
	"time"
)

// micLevelWhilePlaying plays a tone into the headset's speaker while
// reading its microphone, and returns the level of the last second read in
// dBFS. It reads a fixed amount of audio rather than waiting a fixed time:
// a remapped monitor of an idle null sink starts delivering only after
// about 1-2 s.
func micLevelWhilePlaying(t *testing.T, h Headset) float64 {
	t.Helper()
	const rate, seconds = 48000, 3
	parec := exec.Command("parec", "--device="+h.Mic, "--latency-msec=20", "--rate=48000", "--channels=1", "--format=s16le")
	out, err := parec.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parec.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { parec.Process.Kill(); parec.Wait() }()
	paplay := exec.Command("paplay", "--device="+h.Speaker, Tone(t, 1000, 10*time.Second))
	if err := paplay.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { paplay.Process.Kill(); paplay.Wait() }()
	pcm := make([]byte, rate*2*seconds)
	if _, err := io.ReadFull(out, pcm); err != nil {
		t.Fatalf("read %d s of the microphone: %v", seconds, err)
	}
	var sum float64
	last := pcm[len(pcm)-rate*2:]
	for i := 0; i < len(last); i += 2 {
		v := float64(int16(binary.LittleEndian.Uint16(last[i:]))) / 32768
		sum += v * v
	}
	return 10 * math.Log10(sum/float64(rate)+1e-12)
}

func TestPulseHeadsetLeaksOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	RequirePulse(t)
	RequireBinary(t, "parec")
	RequireBinary(t, "paplay")
	h := PulseHeadset(t, "hs", map[string]string{"device.bus": "usb", "device.form_factor": "headset"})
	quiet := micLevelWhilePlaying(t, h)
	if quiet > -80 {
		t.Errorf("mic level %.1f dBFS without leak; want silence", quiet)
	}
	h.Leak(t, -6)
	leaky := micLevelWhilePlaying(t, h)
	if leaky < -20 || leaky > -10 {
		t.Errorf("mic level %.1f dBFS with a -6 dB leak of a tone at -9 dBFS RMS; want about -15", leaky)
	}
	t.Logf("mic without leak %.1f dBFS, with -6 dB leak %.1f dBFS", quiet, leaky)
}
