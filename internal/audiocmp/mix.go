package audiocmp

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// activeWithinDB: frames within this of the loudest 20 ms count as active
// speech for ActiveLevelDBFS (the pauses between words do not).
const activeWithinDB = 25.0

// ActiveLevelDBFS is the mean power of a's active frames in dBFS: speech
// level without its pauses, so that a signal-to-noise ratio means the same
// for a fast and a slow talker.
func ActiveLevelDBFS(a Audio) float64 {
	n := frameLen(a.Rate)
	var p []float64
	peak := 0.0
	for f := 0; (f+1)*n <= len(a.Samples); f++ {
		p = append(p, meanSquare(a.Samples[f*n:(f+1)*n]))
		peak = max(peak, p[f])
	}
	var sum float64
	count := 0
	for _, v := range p {
		if v > peak*math.Pow(10, -activeWithinDB/10) {
			sum += v
			count++
		}
	}
	if count == 0 {
		return math.Inf(-1)
	}
	return 10 * math.Log10(sum/float64(count))
}

// Mix adds noise (looped to speech's length) to speech so that speech's
// active level is snrDB above the noise's mean power.
func Mix(speech, noise Audio, snrDB float64) (Audio, error) {
	if speech.Rate != noise.Rate {
		return Audio{}, fmt.Errorf("%w: rates %d and %d differ", ErrFormat, speech.Rate, noise.Rate)
	}
	np := meanSquare(noise.Samples)
	if len(noise.Samples) == 0 || np == 0 {
		return Audio{}, fmt.Errorf("noise: %w", ErrSilence)
	}
	g := math.Sqrt(math.Pow(10, (ActiveLevelDBFS(speech)-snrDB)/10) / np)
	out := Audio{Rate: speech.Rate, Samples: make([]float64, len(speech.Samples))}
	for i, v := range speech.Samples {
		out.Samples[i] = v + g*noise.Samples[i%len(noise.Samples)]
	}
	return out, nil
}

// Save writes a as a mono 16-bit PCM WAV, clipping at full scale.
func Save(path string, a Audio) error {
	b := make([]byte, 44+2*len(a.Samples))
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*len(a.Samples)))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], formatPCM)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], uint32(a.Rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(2*a.Rate))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*len(a.Samples)))
	for i, v := range a.Samples {
		s := math.Max(-32768, math.Min(32767, math.Round(v*32768)))
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(s)))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("save WAV: %w", err)
	}
	return nil
}
