package testenv

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Home background noises for noise-suppression tests: 48 kHz mono 16-bit
// WAVs, the same for the same arguments. Tests set the level when mixing
// (at a signal-to-noise ratio measured on the files).

// FanNoise returns d of steady fan (or air-conditioning) noise: pink noise
// with its energy below 1.5 kHz, as a desk fan or a laptop's blower sounds.
func FanNoise(t testing.TB, d time.Duration) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	out := filepath.Join(cacheDir(t), fmt.Sprintf("fan-%d.wav", d.Milliseconds()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	run(t, sox, "-R", "-n", "-r", strconv.Itoa(SampleRate), "-c", "1", "-b", "16", out,
		"synth", secs(d), "pinknoise", "highpass", "50", "lowpass", "1500", "norm", "-10")
	return out
}

// TVNoise returns d of a television in the next room: another voice reading
// news, reverberant and band-limited like a TV speaker, looped.
func TVNoise(t testing.TB, d time.Duration) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	out := filepath.Join(cacheDir(t), fmt.Sprintf("tv-%d.wav", d.Milliseconds()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	voice := EspeakVoice(t, "en+m3", "Good evening. In tonight's news, heavy rain is expected across the north of the country, "+
		"and the football results follow after the break. Stay with us for the weather.")
	loop := Concat(t, voice, voice, voice, voice)
	run(t, sox, loop, out, "highpass", "150", "lowpass", "6000", "reverb", "60", "trim", "0", secs(d), "norm", "-6")
	return out
}

// KeyboardNoise returns d of typing: short decaying clicks, 5 to 8 a
// second in bursts, with pauses between words, seeded.
func KeyboardNoise(t testing.TB, d time.Duration, seed int) string {
	t.Helper()
	out := filepath.Join(cacheDir(t), fmt.Sprintf("keys-%d-%d.wav", d.Milliseconds(), seed))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6b657973))
	n := int(d.Seconds() * SampleRate)
	x := make([]float64, n)
	for at := rng.IntN(SampleRate / 5); at < n; {
		clickLen := SampleRate * (4 + rng.IntN(5)) / 1000
		amp := 0.3 + 0.4*rng.Float64()
		lp := 0.0
		for i := 0; i < clickLen && at+i < n; i++ {
			// Decaying noise, lightly low-passed: a key's plastic click.
			w := rng.NormFloat64()
			lp = 0.6*lp + 0.4*w
			x[at+i] += amp * lp * math.Exp(-float64(i)/float64(clickLen/4))
		}
		gap := SampleRate * (90 + rng.IntN(120)) / 1000
		if rng.IntN(6) == 0 {
			gap += SampleRate * (300 + rng.IntN(500)) / 1000 // between words
		}
		at += gap
	}
	writePCM16(t, out, x, 0.1) // -20 dBFS RMS
	return out
}

// writePCM16 writes x scaled to rms (full scale = 1) as a 48 kHz mono
// 16-bit WAV.
func writePCM16(t testing.TB, path string, x []float64, rms float64) {
	t.Helper()
	var sum float64
	for _, v := range x {
		sum += v * v
	}
	scale := 1.0
	if sum > 0 {
		scale = rms / math.Sqrt(sum/float64(len(x)))
	}
	b := make([]byte, 44+2*len(x))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(x)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], Channels)
	binary.LittleEndian.PutUint32(b[24:], SampleRate)
	binary.LittleEndian.PutUint32(b[28:], SampleRate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], BitsPerSample)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(x)))
	for i, v := range x {
		s := math.Round(v * scale * 32767)
		s = math.Max(-32768, math.Min(32767, s))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(s)))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatalf("testenv: %v", err)
	}
}
