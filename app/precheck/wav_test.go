package precheck

import (
	"encoding/binary"
	"fmt"
	"os"
)

// readWAV reads a 16-bit PCM mono 48 kHz WAV (what make-corpus.sh writes).
func readWAV(path string) ([]int16, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%s: not a WAV file", path)
	}
	var channels, bits uint16
	var rate uint32
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+size)]
		switch id {
		case "fmt ":
			channels = binary.LittleEndian.Uint16(body[2:4])
			rate = binary.LittleEndian.Uint32(body[4:8])
			bits = binary.LittleEndian.Uint16(body[14:16])
		case "data":
			if channels != 1 || bits != 16 || rate != 48000 {
				return nil, fmt.Errorf("%s: want 48 kHz mono 16-bit, got %d Hz %d ch %d bit", path, rate, channels, bits)
			}
			out := make([]int16, len(body)/2)
			for i := range out {
				out[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return out, nil
		}
		p += 8 + size + size%2
	}
	return nil, fmt.Errorf("%s: no data chunk", path)
}
