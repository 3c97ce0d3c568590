package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Syllables heard near the mouth end abruptly; heard across a reverberant
// room, their ends carry on in the room's tail.
func TestMeasureCloseTalkTellsDirectFromReverberant(t *testing.T) {
	dry := make([]float32, 4*SampleRate)
	for k := 0; k < 12; k++ { // 12 syllables of 180 ms, 320 ms apart
		v := voiced(180, -20)
		copy(dry[SampleRate/4+k*SampleRate*32/100:], v)
	}
	// A room tail (the statistical model, on the energy envelope): noise
	// whose energy follows the dry sound's and dies away 60 dB in 0.6 s, as
	// loud as the direct sound.
	rng := rand.New(rand.NewPCG(3, 4))
	decay := math.Exp(-6.9 / (0.6 * SampleRate))
	wet := make([]float32, len(dry))
	var env float64
	for i, d := range dry {
		env = decay*env + (1-decay)*float64(d)*float64(d)
		wet[i] = d + float32(rng.NormFloat64()*math.Sqrt(env))
	}
	noise := Probe(4000, -70, 5)
	for i := range dry {
		dry[i] += noise[i]
		wet[i] += noise[i]
	}
	room := Probe(2000, -70, 6)
	near, far := MeasureCloseTalk(dry, room), MeasureCloseTalk(wet, room)
	t.Logf("near %+v, far %+v", near, far)
	if near.DecayDB < 20 || far.DecayDB > 15 || near.ActiveSeconds < 1 {
		t.Fatalf("near %+v, far %+v", near, far)
	}
	if silent := MeasureCloseTalk(make([]float32, SampleRate), room); silent.ActiveSeconds != 0 || silent.DecayDB != 0 {
		t.Fatalf("no speech: %+v", silent)
	}
}
