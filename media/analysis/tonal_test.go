package analysis

import (
	"math"
	"testing"
)

func chordSeq(notes [][]float64, noteMS int, levelDBFS float64) []float32 {
	n := noteMS * SampleRate / 1000
	x := make([]float32, 0, n*len(notes))
	amp := math.Pow(10, levelDBFS/20)
	for _, chord := range notes {
		for i := 0; i < n; i++ {
			var v float64
			for _, f := range chord {
				v += math.Sin(2 * math.Pi * f * float64(i) / SampleRate)
			}
			x = append(x, float32(amp*v/float64(len(chord))))
		}
	}
	return x
}

// Sustained partials that change are music; that stay, a machine; noise and
// silence are neither.
func TestDetectTonalTellsMusicFromHum(t *testing.T) {
	bg := Probe(8000, -75, 31)
	add := func(x []float32) []float32 {
		out := append([]float32(nil), bg...)
		for i := range out {
			if i < len(x) {
				out[i] += x[i]
			}
		}
		return out
	}
	chords := [][]float64{{261.6, 329.6, 392}, {220, 261.6, 329.6}, {174.6, 220, 261.6}, {196, 246.9, 293.7}}
	music := add(chordSeq(append(append(chords, chords...), chords...), 700, -40))
	hum := add(chordSeq([][]float64{{100, 200, 300}}, 8000, -45))
	if m := DetectTonal(music); !m.Music || m.Machine {
		t.Errorf("chords: %+v", m)
	}
	if h := DetectTonal(hum); h.Music || !h.Machine {
		t.Errorf("hum: %+v", h)
	}
	for name, x := range map[string][]float32{"noise": Probe(8000, -40, 32), "silence": make([]float32, 8*SampleRate), "short": bg[:1000]} {
		if v := DetectTonal(x); v.Music || v.Machine {
			t.Errorf("%s: %+v", name, v)
		}
	}
}

// Barks are voiced, but bursts: never voices.
func TestDetectVoiceTellsBarksFromTalk(t *testing.T) {
	x := Probe(8000, -75, 33)
	for k := 0; k < 5; k++ { // five 200 ms barks at 500 Hz falling to 380 Hz, 1.5 s apart
		at := SampleRate/2 + k*3*SampleRate/2
		phase := 0.0
		n := SampleRate / 5
		for i := 0; i < n; i++ {
			f0 := 500 - 120*float64(i)/float64(n)
			phase += f0 / SampleRate
			saw := 2*(phase-math.Floor(phase)) - 1
			x[at+i] += float32(0.05 * saw * math.Exp(-float64(i)/float64(n)))
		}
	}
	v := DetectVoice(x)
	if v.Detected || !v.Bursts {
		t.Fatalf("barks: %+v", v)
	}
}
