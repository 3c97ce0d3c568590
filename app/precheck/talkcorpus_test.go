package precheck

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/homeshore/homeshore/media/analysis"
)

// The close-talk corpus: the read-a-sentence step as a headset boom (2–4 cm
// from the mouth) and as distant microphones (laptop array, webcam,
// speakerphone: 0.3–1.2 m) hear it, in synthetic rooms. Each case is a
// dry espeak-ng sentence (make-talk-corpus.sh) convolved (sox fir) with a
// room impulse response of our own, seeded so every run builds the same
// corpus, plus room noise and microphone self-noise, then an unknown input
// gain (as an AGC or the input volume would set it). Nothing is recorded.
//
// Impulse responses, in units where the direct sound at 1 m is 1:
//   - direct path 1/r at r/c;
//   - early reflections (desk, walls, ceiling) at path lengths 0.6–3 m,
//     amplitude 0.7/path; a laptop or webcam also gets a desk reflection
//     right behind the direct sound;
//   - a late tail whose energy is 1/rc² (the diffuse field, the same at any
//     distance; rc = 0.057·√(Q·V/T60), Q = 2 for a talker), decaying 60 dB
//     in T60, high frequencies faster than low. Two families: "polack"
//     (Gaussian noise under exponential decay, the statistical model) for
//     tuning and half the held-out cases, and "freeverb" (sox's reverb, a
//     comb/all-pass network of a different structure) for the other half.
type talkCase struct {
	name        string
	sentence    int
	distance    float64 // m from the mouth
	t60, volume float64 // s, m³
	family      string  // polack, freeverb
	noiseDB     float64 // room noise RMS relative to the speech level at 1 m
	selfDB      float64 // microphone self-noise relative to the speech level at 1 m
	levelDBFS   float64 // active speech level the input gain ends at
	agcDB       float64 // extra gain on the silent-room capture (an AGC opening up)
	label       string  // close, distant, or gray (not scored)
	group       string  // tuning, heldout
}

// talkGenVersion changes when the generator below changes (cache key).
const talkGenVersion = "1"

func talkCases() []talkCase {
	rng := rand.New(rand.NewPCG(20261124, 11))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	var cases []talkCase
	add := func(group string, sentence int, label string, family string) {
		c := talkCase{sentence: sentence, label: label, group: group, family: family,
			t60: u(0.25, 0.9), volume: u(18, 70), noiseDB: u(-38, -16), selfDB: u(-34, -26),
			levelDBFS: u(-38, -14)}
		switch label {
		case "close":
			c.distance = u(0.02, 0.045)
		case "distant":
			c.distance = u(0.3, 1.2)
		default:
			c.distance = u(0.1, 0.18)
		}
		if rng.Float64() < 0.3 {
			c.agcDB = u(3, 12)
		}
		c.name = fmt.Sprintf("%s_%02d_%s_s%d_%.0fcm", group, len(cases), label, sentence, 100*c.distance)
		cases = append(cases, c)
	}
	for s := 0; s < 6; s++ {
		add("tuning", s, "close", "polack")
		add("tuning", s, "close", "polack")
		add("tuning", s, "distant", "polack")
		add("tuning", s, "distant", "polack")
	}
	for s := 6; s < 10; s++ {
		for k, fam := range []string{"polack", "freeverb", "freeverb"} {
			add("heldout", s, "close", fam)
			add("heldout", s, "distant", []string{"freeverb", "polack", "freeverb"}[k])
		}
	}
	for s := 0; s < 10; s += 3 {
		add("gray", s, "gray", "polack")
	}
	return cases
}

// talkSample is one built case: what the microphone heard while the agent
// read (speech) and while the room was silent (room), at the input's gain.
type talkSample struct {
	talkCase
	speech, room []float32
}

var (
	talkOnce    sync.Once
	talkSamples []talkSample
	talkErr     error
)

// talkCorpus builds (or reads from the cache in the temp dir) every case.
func talkCorpus(t testing.TB) []talkSample {
	t.Helper()
	requireOrSkip(t, haveBinary("sox"), "sox")
	requireOrSkip(t, haveBinary("espeak-ng"), "espeak-ng")
	talkOnce.Do(func() { talkSamples, talkErr = buildTalkCorpus() })
	if talkErr != nil {
		t.Fatalf("building the close-talk corpus: %v", talkErr)
	}
	return talkSamples
}

func buildTalkCorpus() ([]talkSample, error) {
	script, err := filepath.Abs("testdata/make-talk-corpus.sh")
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(script)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append(src, talkGenVersion...))
	dir := filepath.Join(os.TempDir(), "homeshore-talk-corpus-"+hex.EncodeToString(sum[:6]))
	if _, err := os.Stat(filepath.Join(dir, "done")); err != nil {
		tmp, err := os.MkdirTemp(os.TempDir(), "homeshore-talk-build-")
		if err != nil {
			return nil, err
		}
		if out, err := exec.Command(script, tmp).CombinedOutput(); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("%s: %w: %s", script, err, out)
		}
		for _, c := range talkCases() {
			if err := renderTalkCase(tmp, c); err != nil {
				os.RemoveAll(tmp)
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
		}
		_ = os.WriteFile(filepath.Join(tmp, "done"), nil, 0o644)
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp) // another process won the race: use theirs
		}
	}
	var out []talkSample
	for _, c := range talkCases() {
		sp, err1 := readWAV(filepath.Join(dir, c.name+".speech.wav"))
		rm, err2 := readWAV(filepath.Join(dir, c.name+".room.wav"))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: %v %v", c.name, err1, err2)
		}
		out = append(out, talkSample{talkCase: c, speech: analysis.Int16ToFloat(sp), room: analysis.Int16ToFloat(rm)})
	}
	return out, nil
}

const talkRate = analysis.SampleRate

// renderTalkCase writes NAME.speech.wav (4 s) and NAME.room.wav (3 s).
func renderTalkCase(dir string, c talkCase) error {
	rng := rand.New(rand.NewPCG(uint64(len(c.name)), uint64(math.Float64bits(c.distance))))
	h, err := impulseResponse(dir, c, rng)
	if err != nil {
		return err
	}
	// sox convolves with the response scaled to a peak of 1, in float.
	peak := 0.0
	for _, v := range h {
		peak = math.Max(peak, math.Abs(v))
	}
	var coef strings.Builder
	for _, v := range h {
		fmt.Fprintf(&coef, "%.9g\n", v/peak)
	}
	coefs := filepath.Join(dir, c.name+".fir")
	if err := os.WriteFile(coefs, []byte(coef.String()), 0o644); err != nil {
		return err
	}
	wet := filepath.Join(dir, c.name+".f32")
	dry := filepath.Join(dir, fmt.Sprintf("dry_%d.wav", c.sentence))
	if out, err := exec.Command("sox", "-V1", dry, "-t", "raw", "-e", "floating-point", "-b", "32", wet, "fir", coefs).CombinedOutput(); err != nil {
		return fmt.Errorf("sox fir: %w: %s", err, out)
	}
	speech, err := readF32(wet)
	if err != nil {
		return err
	}
	os.Remove(wet)
	os.Remove(coefs)
	drySamples, err := readWAV(dry)
	if err != nil {
		return err
	}
	// The dry sentence at 1 m is the reference: its active level is 0 dB.
	ref := analysis.SpeechLevel(analysis.Int16ToFloat(drySamples)).ActiveLevelDBFS
	for i := range speech {
		speech[i] *= float32(peak * dbToLin(-ref))
	}
	roomNoise, err1 := readWAV(filepath.Join(dir, "noise_room.wav"))
	if c.sentence%2 == 1 {
		roomNoise, err1 = readWAV(filepath.Join(dir, "noise_fan.wav"))
	}
	selfNoise, err2 := readWAV(filepath.Join(dir, "noise_self.wav"))
	if err1 != nil || err2 != nil {
		return fmt.Errorf("noise beds: %v %v", err1, err2)
	}
	scaled := func(pcm []int16, db float64) []float32 {
		x := analysis.Int16ToFloat(pcm)
		var p float64
		for _, v := range x {
			p += float64(v) * float64(v)
		}
		g := float32(dbToLin(db) / math.Sqrt(p/float64(len(x))))
		for i := range x {
			x[i] *= g
		}
		return x
	}
	rn, sn := scaled(roomNoise, c.noiseDB), scaled(selfNoise, c.selfDB)
	n := 4 * talkRate
	mic := make([]float32, n)
	for i := range mic {
		mic[i] = speech[i] + rn[i] + sn[i]
	}
	room := make([]float32, 3*talkRate)
	for i := range room {
		room[i] = rn[i+3*talkRate] + sn[i+3*talkRate]
	}
	gain := c.levelDBFS - analysis.SpeechLevel(mic).ActiveLevelDBFS
	if err := writeWAV16(filepath.Join(dir, c.name+".speech.wav"), scaleTo(mic, gain)); err != nil {
		return err
	}
	return writeWAV16(filepath.Join(dir, c.name+".room.wav"), scaleTo(room, gain+c.agcDB))
}

// impulseResponse synthesises the room's response from the mouth to the
// microphone (see talkCase).
func impulseResponse(dir string, c talkCase, rng *rand.Rand) ([]float64, error) {
	const speed = 343.0
	rc := 0.057 * math.Sqrt(2*c.volume/c.t60)
	n := int((1.1*c.t60 + 0.02) * talkRate)
	h := make([]float64, n)
	d0 := int(c.distance / speed * talkRate)
	h[d0] = 1 / c.distance
	for k := 0; k < 5; k++ {
		path := 0.6 + 2.4*rng.Float64()
		if at := int(path / speed * talkRate); at > d0 && at < n {
			h[at] += 0.7 / path * sign(rng)
		}
	}
	if c.distance > 0.2 { // a laptop or webcam on the desk: the desk reflects right behind the direct sound
		path := 1.08*c.distance + 0.05
		h[int(path/speed*talkRate)] += 0.6 / path
	}
	var tail []float64
	switch c.family {
	case "freeverb":
		var err error
		if tail, err = freeverbTail(dir, c, n); err != nil {
			return nil, err
		}
	default:
		tail = make([]float64, n)
		var lo, hiPrev float64
		for i := range tail {
			tm := float64(i) / talkRate
			w := rng.NormFloat64()
			lo += 0.25 * (w - lo) // one-pole split: low band decays in T60, high band in 0.6·T60
			hi := w - lo
			tail[i] = lo*math.Exp(-6.9*tm/c.t60) + 0.7*(hi+hiPrev)/2*math.Exp(-6.9*tm/(0.6*c.t60))
			hiPrev = hi
		}
	}
	// The tail starts after the direct sound, ramping in over 5 ms, with the
	// diffuse field's energy.
	start := d0 + int(0.003*talkRate)
	ramp := int(0.005 * talkRate)
	var e float64
	for i := start; i < n; i++ {
		k := i - start
		g := math.Min(1, float64(k)/float64(ramp))
		tail[k] *= g
		e += tail[k] * tail[k]
	}
	g := math.Sqrt(1/(rc*rc)) / math.Sqrt(e)
	for i := start; i < n; i++ {
		h[i] += g * tail[i-start]
	}
	return h, nil
}

// freeverbTail is sox's reverb (wet only) of an impulse, its reverberance
// set from T60 and its room scale from the volume.
func freeverbTail(dir string, c talkCase, n int) ([]float64, error) {
	imp := make([]float32, n)
	imp[0] = 0.5
	in := filepath.Join(dir, c.name+".imp.wav")
	out := filepath.Join(dir, c.name+".tail.f32")
	if err := writeWAV16(in, imp); err != nil {
		return nil, err
	}
	defer os.Remove(in)
	defer os.Remove(out)
	reverberance := math.Min(100, 30+70*(c.t60-0.25)/0.65)
	scale := math.Min(100, 40+60*(c.volume-18)/52)
	args := []string{"-V1", in, "-t", "raw", "-e", "floating-point", "-b", "32", out, "reverb", "-w",
		fmt.Sprintf("%.0f", reverberance), "50", fmt.Sprintf("%.0f", scale), "100", "0", "0"}
	if o, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sox reverb: %w: %s", err, o)
	}
	x, err := readF32(out)
	if err != nil {
		return nil, err
	}
	tail := make([]float64, n)
	for i := range tail {
		if i < len(x) {
			tail[i] = float64(x[i])
		}
	}
	return tail, nil
}

func sign(rng *rand.Rand) float64 {
	if rng.IntN(2) == 0 {
		return -1
	}
	return 1
}

func readF32(path string) ([]float32, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	x := make([]float32, len(b)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return x, nil
}

// writeWAV16 writes 48 kHz mono 16-bit PCM, saturating.
func writeWAV16(path string, x []float32) error {
	pcm := analysis.FloatToInt16(x)
	b := make([]byte, 44+2*len(pcm))
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(pcm)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], talkRate)
	binary.LittleEndian.PutUint32(b[28:], 2*talkRate)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(pcm)))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(v))
	}
	return os.WriteFile(path, b, 0o644)
}
