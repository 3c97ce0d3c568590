package audiocmp

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
)

// Audio is mono audio as floats in [-1, 1].
type Audio struct {
	Rate    int
	Samples []float64
}

// Load reads a RIFF WAV (PCM 8/16/24/32-bit or float32, any rate and
// channel count) and mixes it down to mono. A data chunk whose size is 0 or
// runs past the end (a recorder still writing, or killed) is read to the
// end of the file.
func Load(path string) (Audio, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Audio{}, fmt.Errorf("read %s: %w", path, err)
	}
	a, err := Parse(data)
	if err != nil {
		return Audio{}, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

type wavFormat struct {
	tag      uint16
	channels int
	rate     int
	bits     int
}

const (
	formatPCM        = 1
	formatFloat      = 3
	formatExtensible = 0xFFFE
)

// Parse decodes WAV bytes, see Load.
func Parse(data []byte) (Audio, error) {
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return Audio{}, fmt.Errorf("%w: no RIFF/WAVE header", ErrFormat)
	}
	var f wavFormat
	haveFmt := false
	for off := 12; off+8 <= len(data); {
		id := string(data[off : off+4])
		size := int(binary.LittleEndian.Uint32(data[off+4 : off+8]))
		body := off + 8
		switch id {
		case "fmt ":
			if size < 16 || body+16 > len(data) {
				return Audio{}, fmt.Errorf("%w: short fmt chunk", ErrFormat)
			}
			f = wavFormat{
				tag:      binary.LittleEndian.Uint16(data[body:]),
				channels: int(binary.LittleEndian.Uint16(data[body+2:])),
				rate:     int(binary.LittleEndian.Uint32(data[body+4:])),
				bits:     int(binary.LittleEndian.Uint16(data[body+14:])),
			}
			if f.tag == formatExtensible && size >= 26 && body+26 <= len(data) {
				f.tag = binary.LittleEndian.Uint16(data[body+24:])
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Audio{}, fmt.Errorf("%w: data before fmt chunk", ErrFormat)
			}
			end := body + size
			if size == 0 || end > len(data) || end < body {
				end = len(data)
			}
			return decode(f, data[body:end])
		}
		off = body + size + size%2
		if off < body { // overflow on a bogus size
			break
		}
	}
	return Audio{}, fmt.Errorf("%w: no data chunk", ErrFormat)
}

func decode(f wavFormat, pcm []byte) (Audio, error) {
	if f.channels < 1 || f.rate < 1000 || f.rate > 384000 {
		return Audio{}, fmt.Errorf("%w: %d channels at %d Hz", ErrFormat, f.channels, f.rate)
	}
	var sample func([]byte) float64
	switch {
	case f.tag == formatPCM && f.bits == 8:
		sample = func(b []byte) float64 { return (float64(b[0]) - 128) / 128 }
	case f.tag == formatPCM && f.bits == 16:
		sample = func(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) / 32768 }
	case f.tag == formatPCM && f.bits == 24:
		sample = func(b []byte) float64 {
			v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
			return float64(v) / (1 << 23)
		}
	case f.tag == formatPCM && f.bits == 32:
		sample = func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31) }
	case f.tag == formatFloat && f.bits == 32:
		// Float WAVs may hold anything; clamp to full scale, NaN to 0.
		sample = func(b []byte) float64 {
			v := float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
			if math.IsNaN(v) {
				return 0
			}
			return min(max(v, -1), 1)
		}
	default:
		return Audio{}, fmt.Errorf("%w: format %d with %d bits", ErrFormat, f.tag, f.bits)
	}
	width := f.bits / 8
	frame := width * f.channels
	n := len(pcm) / frame
	out := Audio{Rate: f.rate, Samples: make([]float64, n)}
	for i := range n {
		var sum float64
		for c := range f.channels {
			sum += sample(pcm[i*frame+c*width:])
		}
		out.Samples[i] = sum / float64(f.channels)
	}
	return out, nil
}
