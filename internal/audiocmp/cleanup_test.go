package audiocmp

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// words is 2 s of 300 ms tone bursts ("words") with 200 ms gaps, at 48 kHz.
func words() Audio {
	a := Audio{Rate: 48000, Samples: make([]float64, 96000)}
	for i := range a.Samples {
		if (i/4800)%5 < 3 { // 300 ms on, 200 ms off
			a.Samples[i] = 0.3 * math.Sin(2*math.Pi*float64(i)*(200+float64(i/24000)*50)/48000)
		}
	}
	return a
}

func TestLevelsAndSpectralDistanceOfCleanedSpeech(t *testing.T) {
	clean := words()
	rng := rand.New(rand.NewPCG(1, 1))
	noisy := Audio{Rate: clean.Rate, Samples: make([]float64, len(clean.Samples))}
	for i, v := range clean.Samples {
		noisy.Samples[i] = 0.5*v + 0.01*rng.NormFloat64() // -6 dB, noise at -40 dBFS
	}
	l, err := MeasureLevels(clean, noisy, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l.PauseDBFS-(-40)) > 0.5 || math.Abs(l.SpeechDBFS-(-19.5)) > 0.5 {
		t.Errorf("levels %s, want pauses -40 and speech -19.5 dBFS", l)
	}
	same, err := SpectralDistance(clean, Audio{Rate: clean.Rate, Samples: scale(clean.Samples, 0.1)}, nil, 0)
	if err != nil || same > 0.01 {
		t.Errorf("same sound 20 dB quieter: distance %.3f dB (%v), want 0", same, err)
	}
	d, err := SpectralDistance(clean, noisy, nil, 0)
	if err != nil || d < 1 {
		t.Errorf("noisy: distance %.2f dB (%v), want clearly above 0", d, err)
	}
	// A recording 100 ms late is measured at its lag.
	late := Audio{Rate: clean.Rate, Samples: append(make([]float64, 4800), clean.Samples...)}
	if d, err := SpectralDistance(clean, late, Lags{100 * time.Millisecond}, 0); err != nil || d > 0.01 {
		t.Errorf("late copy at its lag: distance %.3f dB (%v)", d, err)
	}
	if _, err := MeasureLevels(clean, Audio{Rate: 8000, Samples: noisy.Samples}, nil, 0); err == nil {
		t.Error("different rates must be refused")
	}
}

func scale(x []float64, g float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = g * v
	}
	return out
}

func TestMixAtSNRAndSave(t *testing.T) {
	clean := words()
	rng := rand.New(rand.NewPCG(2, 2))
	noise := Audio{Rate: clean.Rate, Samples: make([]float64, 48000)}
	for i := range noise.Samples {
		noise.Samples[i] = rng.NormFloat64()
	}
	mixed, err := Mix(clean, noise, 10)
	if err != nil {
		t.Fatal(err)
	}
	l, err := MeasureLevels(clean, mixed, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := ActiveLevelDBFS(clean) - l.PauseDBFS; math.Abs(got-10) > 0.3 {
		t.Errorf("mixed at 10 dB SNR: speech %.1f dBFS over noise %.1f dBFS", ActiveLevelDBFS(clean), l.PauseDBFS)
	}
	path := t.TempDir() + "/mixed.wav"
	if err := Save(path, mixed); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil || back.Rate != 48000 || len(back.Samples) != len(mixed.Samples) || math.Abs(back.Samples[1000]-mixed.Samples[1000]) > 1.0/32768 {
		t.Fatalf("saved and loaded: %v, rate %d, %d samples", err, back.Rate, len(back.Samples))
	}
	if _, err := Mix(clean, Audio{Rate: 8000, Samples: noise.Samples}, 10); err == nil {
		t.Error("rates differ: want an error")
	}
}

func TestFineLagFindsTheSample(t *testing.T) {
	clean := words()
	late := Audio{Rate: clean.Rate, Samples: append(make([]float64, 4853), clean.Samples...)} // 101.1 ms
	if got := FineLag(clean, late, 100*time.Millisecond); got != 4853*time.Second/48000 {
		t.Fatalf("fine lag %v, want %v", got, 4853*time.Second/48000)
	}
}

// A recording whose timeline slipped (a device under-ran) is aligned part by
// part.
func TestAlignFollowsASlippingTimeline(t *testing.T) {
	// Words of random lengths: a periodic rhythm would align anywhere.
	rng := rand.New(rand.NewPCG(3, 3))
	clean := Audio{Rate: 48000, Samples: make([]float64, 4*48000)}
	for at := 0; at < len(clean.Samples); {
		word := 4800 + rng.IntN(19200)
		f := 150 + 200*rng.Float64()
		for i := 0; i < word && at+i < len(clean.Samples); i++ {
			clean.Samples[at+i] = 0.3 * math.Sin(2*math.Pi*f*float64(i)/48000)
		}
		at += word + 4800 + rng.IntN(9600)
	}
	// 40 ms late for the first half, 90 ms late for the second.
	half := len(clean.Samples) / 2
	x := append(make([]float64, 1920), clean.Samples[:half]...)
	x = append(x, make([]float64, 2400)...)
	x = append(x, clean.Samples[half:]...)
	lags, err := Align(clean, Audio{Rate: 48000, Samples: x}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if lags[0] != 40*time.Millisecond || lags[1] != 90*time.Millisecond {
		t.Fatalf("lags %v, want [40ms 90ms]", lags)
	}
	if d, err := SpectralDistance(clean, Audio{Rate: 48000, Samples: x}, lags, 0); err != nil || d > 0.01 {
		t.Errorf("aligned part by part: distance %.3f (%v), want 0", d, err)
	}
}
