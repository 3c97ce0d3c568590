package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestAWeightingMatchesIEC61672(t *testing.T) {
	// Nominal A-weighting (dB) and class 1 tolerance from IEC 61672-1 table 3.
	want := []struct{ f, db, tol float64 }{
		{31.5, -39.4, 1.5}, {63, -26.2, 1.0}, {125, -16.1, 1.0}, {250, -8.6, 1.0}, {500, -3.2, 1.0},
		{1000, 0, 0.7}, {2000, 1.2, 1.0}, {4000, 1.0, 1.0}, {8000, -1.1, 1.5}, {12500, -4.3, 2.0}, {16000, -6.6, 3.0},
	}
	a := NewAWeighting()
	for _, w := range want {
		if got := a.GainDB(w.f); math.Abs(got-w.db) > w.tol {
			t.Errorf("A(%v Hz) = %.2f dB, want %.1f ± %.1f", w.f, got, w.db, w.tol)
		}
	}
}

func TestRoomLevelsOfSteadyAndIntermittentSound(t *testing.T) {
	tone := Tone(3000, 1000, -30)
	l := RoomLevels(tone)
	if math.Abs(l.LeqA+30) > 0.3 || math.Abs(l.L90A+30) > 0.5 || math.Abs(l.LmaxA+30) > 0.5 {
		t.Fatalf("1 kHz at -30 dBFS: %+v", l)
	}
	// Quiet noise with one loud 300 ms burst: L90 stays low, Lmax rises.
	x := Probe(5000, -70, 1)
	burst := Tone(300, 1000, -20)
	copy(x[2*SampleRate:], burst)
	l = RoomLevels(x)
	if l.L90A > -65 || l.L50A > -65 || l.LmaxA < -23 {
		t.Fatalf("burst: %+v", l)
	}
}

func TestStatsSpotDeadAndClippingMicrophones(t *testing.T) {
	if s := Stats(make([]float32, 4800)); !s.DigitalZero || !s.Constant || s.RMSDBFS != Floor {
		t.Fatalf("zeros: %+v", s)
	}
	dc := make([]float32, 4800)
	for i := range dc {
		dc[i] = 0.25
	}
	if s := Stats(dc); s.DigitalZero || !s.Constant {
		t.Fatalf("dc: %+v", s)
	}
	loud := Tone(1000, 1000, 3) // peak +6 dBFS: clipped
	for i := range loud {
		loud[i] = float32(math.Max(-1, math.Min(0.9999, float64(loud[i]))))
	}
	if s := Stats(loud); s.ClipPercent < 10 {
		t.Fatalf("clipping: %+v", s)
	}
}

func TestMeasureLeakFindsEchoAndDelay(t *testing.T) {
	probe := Probe(1000, -24, 7)
	noise := Probe(1800, -75, 9)
	for _, c := range []struct {
		gainDB  float64
		delayMS int
	}{{-6, 40}, {-20, 150}, {-35, 300}} {
		capture := append([]float32(nil), noise...)
		g := float32(math.Pow(10, c.gainDB/20))
		d := c.delayMS * SampleRate / 1000
		for i, v := range probe {
			capture[i+d] += g * v
		}
		l := MeasureLeak(probe, capture, 700)
		if !l.Detected || math.Abs(l.LossDB+c.gainDB) > 0.5 || math.Abs(l.DelayMS-float64(c.delayMS)) > 0.1 {
			t.Errorf("gain %v dB delay %v ms: %+v", c.gainDB, c.delayMS, l)
		}
	}
	l := MeasureLeak(probe, noise, 700)
	if l.Detected || l.LimitDB < 40 {
		t.Errorf("no echo: %+v", l)
	}
}

// voiced synthesises a vowel-like sound: a pulse train gliding 110→170 Hz
// (intonation) through two formant resonators.
func voiced(ms int, levelDBFS float64) []float32 {
	n := ms * SampleRate / 1000
	out := make([]float32, n)
	r1, r2 := lowpass(700, 8), lowpass(1200, 8)
	var peak float64
	vals := make([]float64, n)
	phase := 0.0
	for i := range vals {
		x := 0.0
		f0 := 110 + 60*float64(i)/float64(n)
		phase += f0 / SampleRate
		if phase >= 1 {
			phase--
			x = 1
		}
		vals[i] = r2.step(r1.step(x))
		peak += vals[i] * vals[i]
	}
	g := math.Pow(10, levelDBFS/20) / math.Sqrt(peak/float64(n))
	for i := range out {
		out[i] = float32(vals[i] * g)
	}
	return out
}

func TestDetectVoiceTellsVoicedSoundFromNoise(t *testing.T) {
	bg := Probe(6000, -65, 3)
	talk := append([]float32(nil), bg...)
	for _, at := range []int{500, 2000, 3500} {
		v := voiced(600, -35)
		for i, s := range v {
			talk[at*SampleRate/1000+i] += s
		}
	}
	if v := DetectVoice(talk); !v.Detected || v.Segments < 3 || v.Tonal || math.Abs(v.MedianPitchHz-140) > 10 {
		t.Errorf("voiced bursts: %+v", v)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	brown := make([]float32, 6*SampleRate)
	var acc float64
	for i := range brown {
		acc = 0.998*acc + 0.02*rng.NormFloat64()
		brown[i] = float32(acc * 0.05)
	}
	for name, x := range map[string][]float32{"white": Probe(6000, -30, 4), "brown": brown, "silence": make([]float32, 6*SampleRate)} {
		if v := DetectVoice(x); v.Detected {
			t.Errorf("%s noise detected as voice: %+v", name, v)
		}
	}
}

func TestSpeechLevelOfBurstsIsTheActiveLevel(t *testing.T) {
	x := make([]float32, 0, 8*SampleRate)
	for i := 0; i < 4; i++ {
		x = append(x, Tone(1000, 500, -20)...)
		x = append(x, make([]float32, SampleRate)...)
	}
	s := SpeechLevel(x)
	if math.Abs(s.ActiveLevelDBFS+20) > 1.5 || s.ActivityPercent < 50 || s.ActivityPercent > 70 {
		t.Fatalf("bursts at -20 dBFS, 50%% on: %+v", s)
	}
	if s := SpeechLevel(make([]float32, SampleRate)); s.ActiveLevelDBFS != Floor {
		t.Fatalf("silence: %+v", s)
	}
}

func BenchmarkRoomAnalysis10s(b *testing.B) {
	x := Probe(10000, -50, 1)
	for b.Loop() {
		RoomLevels(x)
		DetectVoice(x)
	}
}

func TestDetectVoiceIgnoresHum(t *testing.T) {
	x := make([]float32, 6*SampleRate)
	for i := range x {
		tm := float64(i) / SampleRate
		on := 0.0 // a machine humming in bursts: 1 s on, 0.5 s off
		if math.Mod(tm, 1.5) < 1 {
			on = 1
		}
		x[i] = float32(on * (0.01*math.Sin(2*math.Pi*100*tm) + 0.006*math.Sin(2*math.Pi*200*tm+1) + 0.004*math.Sin(2*math.Pi*300*tm+2)))
	}
	noise := Probe(6000, -70, 5)
	for i := range x {
		x[i] += noise[i]
	}
	if v := DetectVoice(x); v.Detected || !v.Tonal {
		t.Fatalf("hum bursts: %+v", v)
	}
}

// A path that drops part of the probe (a glitching device) must not look
// quieter than it is.
func TestMeasureLeakWithDropout(t *testing.T) {
	probe := Probe(1000, -24, 7)
	capture := Probe(2000, -80, 9)
	g := float32(math.Pow(10, -20.0/20))
	d := 200 * SampleRate / 1000
	for i, v := range probe {
		if i > SampleRate/4 && i < 3*SampleRate/4 {
			continue // half the probe lost on the way back
		}
		capture[i+d] += g * v
	}
	if l := MeasureLeak(probe, capture, 1000); !l.Detected || math.Abs(l.LossDB-20) > 1 {
		t.Fatalf("dropout: %+v", l)
	}
}

// Any PCM, however short or odd, is analysed without a panic and gives
// finite figures.
func FuzzAnalysis(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0, 255, 127})
	f.Add(make([]byte, 4000))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:min(len(b), 40000)] // long inputs only cost time
		pcm := make([]int16, len(b)/2)
		for i := range pcm {
			pcm[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
		}
		x := Int16ToFloat(pcm)
		l := RoomLevels(x)
		s := SpeechLevel(x)
		st := Stats(x)
		v := DetectVoice(x)
		k := MeasureLeak(x[:len(x)/2], x, 20)
		q := CheckCapture(x, len(x)/2+1, -95)
		tn := DetectTonal(x)
		ct := MeasureCloseTalk(x, x[:len(x)/3])
		for _, f := range []float64{l.LeqA, l.L90A, l.LmaxA, s.ActiveLevelDBFS, st.RMSDBFS, k.LossDB, v.VoicedPercent,
			v.HighPitchPercent, q.ACLevelDBFS, q.RailPercent, q.GapMS, q.LongestGapMS, tn.HeldPercent, tn.ChangesPerSecond,
			ct.DecayDB, ct.SpeechToRoomDB, ct.SpeechToGapsDB, ct.ActiveSeconds} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				t.Fatalf("non-finite figure: %+v %+v %+v %+v %+v %+v %+v %+v", l, s, st, v, k, q, tn, ct)
			}
		}
	})
}

// BenchmarkRoomJudgementAnalysis10s is every analysis the room and
// microphone checks run on a 10 s capture, plus the close-talk test on the
// 4 s read sentence (docs/BENCHMARKS.md).
func BenchmarkRoomJudgementAnalysis10s(b *testing.B) {
	x := Probe(10000, -50, 1)
	speech := Probe(4000, -25, 2)
	for b.Loop() {
		CheckCapture(x, len(x), -95)
		Stats(x)
		RoomLevels(x)
		DetectVoice(x)
		DetectTonal(x)
		MeasureCloseTalk(speech, x)
	}
}
