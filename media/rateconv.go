package media

import "math"

// rateConverter resamples a stream between arbitrary rates with a
// windowed-sinc kernel read from a table (for WAV files such as espeak-ng's
// 22050 Hz; the real-time G.711 path uses the cheaper polyphase filters).
type rateConverter struct {
	step   float64 // input samples per output sample
	pos    float64 // next output position, relative to buf[0]
	buf    []float32
	table  [][]float32 // [phase][tap]
	bypass bool
}

const (
	convZeroCrossings = 16
	convPhases        = 256
	convTaps          = 2 * convZeroCrossings
)

func newRateConverter(inRate, outRate int) *rateConverter {
	c := &rateConverter{step: float64(inRate) / float64(outRate), bypass: inRate == outRate}
	// Left padding so the first output sample has a full window.
	c.buf = make([]float32, convZeroCrossings-1, 4096)
	c.pos = convZeroCrossings - 1
	if c.bypass {
		c.buf = c.buf[:0]
		c.pos = 0
		return c
	}
	cutoff := min(1, 1/c.step) * 0.95
	c.table = make([][]float32, convPhases)
	for p := range c.table {
		frac := float64(p) / convPhases
		row := make([]float32, convTaps)
		var sum float64
		vals := make([]float64, convTaps)
		for j := range row {
			x := float64(j-(convZeroCrossings-1)) - frac // distance from output point
			s := cutoff
			if x != 0 {
				s = math.Sin(math.Pi*cutoff*x) / (math.Pi * x)
			}
			r := x / convZeroCrossings
			w := bessel0(8*math.Sqrt(max(0, 1-r*r))) / bessel0(8)
			vals[j] = s * w
			sum += vals[j]
		}
		for j := range row {
			row[j] = float32(vals[j] / sum)
		}
		c.table[p] = row
	}
	return c
}

// Write appends input samples.
func (c *rateConverter) Write(in []float32) { c.buf = append(c.buf, in...) }

// Flush appends trailing zeros so the last input samples come out.
func (c *rateConverter) Flush() {
	if c.bypass {
		return
	}
	c.buf = append(c.buf, make([]float32, convZeroCrossings+1)...)
}

// Read writes as many output samples as the buffered input allows.
func (c *rateConverter) Read(out []int16) int {
	n := 0
	if c.bypass {
		n = min(len(out), len(c.buf))
		for i := range n {
			out[i] = clamp16(c.buf[i])
		}
		c.buf = c.buf[:copy(c.buf, c.buf[n:])]
		return n
	}
	for n < len(out) {
		i0 := int(c.pos)
		if i0+convZeroCrossings >= len(c.buf) {
			break
		}
		frac := c.pos - float64(i0)
		row := c.table[int(frac*convPhases)%convPhases]
		win := c.buf[i0-(convZeroCrossings-1) : i0+convZeroCrossings+1]
		var acc float32
		for j, h := range row {
			acc += h * win[j]
		}
		out[n] = clamp16(acc)
		n++
		c.pos += c.step
	}
	// Drop input no longer needed, keeping the window's left half.
	drop := int(c.pos) - (convZeroCrossings - 1)
	if drop > 0 {
		c.buf = c.buf[:copy(c.buf, c.buf[drop:])]
		c.pos -= float64(drop)
	}
	return n
}
