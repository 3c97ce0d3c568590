package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Audio format of every sound these helpers write: the project's frame format.
const (
	SampleRate    = 48000
	Channels      = 1
	BitsPerSample = 16
)

// soundTimeout bounds one espeak-ng or sox run.
const soundTimeout = 30 * time.Second

// cacheDir returns a directory for generated sounds that lives as long as
// the test: t.TempDir() makes numbered directories under one per-test parent
// that the testing package removes, so its parent is stable within a test.
func cacheDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(t.TempDir()), "sounds")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return dir
}

func safeName(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Espeak returns a WAV (48 kHz, mono, 16-bit) of text spoken by espeak-ng
// in English. The file lives in t.TempDir(); the same text asked twice in one
// test returns the same file.
func Espeak(t testing.TB, text string) string {
	t.Helper()
	return EspeakVoice(t, "en", text)
}

// EspeakVoice is Espeak with an espeak-ng voice name (e.g. "en", "fr",
// "en+f3").
func EspeakVoice(t testing.TB, voice, text string) string {
	t.Helper()
	espeak := RequireBinary(t, "espeak-ng")
	RequireBinary(t, "sox")
	dir := cacheDir(t)
	out := filepath.Join(dir, "espeak-"+safeName(voice+"\x00"+text)+".wav")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	raw := out + ".raw.wav"
	run(t, espeak, "-v", voice, "-w", raw, "--", text)
	toPCM48k(t, raw, out)
	os.Remove(raw)
	return out
}

// Tone returns a WAV (48 kHz, mono, 16-bit) of a sine at freqHz lasting d,
// at -6 dBFS.
func Tone(t testing.TB, freqHz float64, d time.Duration) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	out := filepath.Join(cacheDir(t), fmt.Sprintf("tone-%g-%d.wav", freqHz, d.Milliseconds()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	run(t, sox, "-n", "-r", strconv.Itoa(SampleRate), "-c", "1", "-b", "16", out,
		"synth", secs(d), "sine", strconv.FormatFloat(freqHz, 'f', -1, 64), "gain", "-6")
	return out
}

// Noise returns a WAV (48 kHz, mono, 16-bit) of white noise lasting d at
// -20 dBFS. seed makes it reproducible and distinct per seed.
func Noise(t testing.TB, d time.Duration, seed int) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	out := filepath.Join(cacheDir(t), fmt.Sprintf("noise-%d-%d.wav", d.Milliseconds(), seed))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	run(t, sox, "-R", "-n", "-r", strconv.Itoa(SampleRate), "-c", "1", "-b", "16", out,
		"synth", secs(d), "whitenoise", "gain", "-n", "-20", "repeat", "0")
	return out
}

// Pad returns a copy of wav with before of silence added at its start and
// after at its end.
func Pad(t testing.TB, wav string, before, after time.Duration) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	out := filepath.Join(cacheDir(t), fmt.Sprintf("pad-%s-%d-%d.wav", safeName(wav), before.Milliseconds(), after.Milliseconds()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	run(t, sox, wav, out, "pad", secs(before), secs(after))
	return out
}

// Concat returns the WAV files joined one after the other (same format).
func Concat(t testing.TB, wavs ...string) string {
	t.Helper()
	sox := RequireBinary(t, "sox")
	key := ""
	for _, w := range wavs {
		key += w + "\x00"
	}
	out := filepath.Join(cacheDir(t), "concat-"+safeName(key)+".wav")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	run(t, sox, append(wavs, out)...)
	return out
}

// ToPCM48k converts any WAV sox reads into 48 kHz mono 16-bit.
func toPCM48k(t testing.TB, in, out string) {
	t.Helper()
	run(t, "sox", in, "-r", strconv.Itoa(SampleRate), "-c", "1", "-b", "16", "-e", "signed-integer", out)
}

func secs(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), soundTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: %s %v: %v\n%s", name, args, err, out)
	}
}
