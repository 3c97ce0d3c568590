package media

import "math"

// Polyphase FIR resampling between 48 kHz and 8 kHz (factor 6). One
// Kaiser-windowed low-pass serves both directions: it removes what would
// alias above 4 kHz before decimation, and the images after interpolation.

const (
	resampleFactor = 6
	tapsPerPhase   = 24
	firLen         = resampleFactor * tapsPerPhase // 144 taps at 48 kHz
	firCutoffHz    = 3700
	firKaiserBeta  = 7.0 // about 70 dB stop-band attenuation
)

// lowPass designs the shared filter with unity gain at DC.
func lowPass() [firLen]float32 {
	var h [firLen]float32
	fc := float64(firCutoffHz) / SampleRate
	mid := float64(firLen-1) / 2
	var sum float64
	tmp := make([]float64, firLen)
	for i := range tmp {
		x := float64(i) - mid
		sinc := 2 * fc
		if x != 0 {
			sinc = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		r := x / mid
		w := bessel0(firKaiserBeta*math.Sqrt(max(0, 1-r*r))) / bessel0(firKaiserBeta)
		tmp[i] = sinc * w
		sum += tmp[i]
	}
	for i := range h {
		h[i] = float32(tmp[i] / sum)
	}
	return h
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

func clamp16(v float32) int16 {
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	}
	if v >= 0 {
		return int16(v + 0.5)
	}
	return int16(v - 0.5)
}

// downsampler turns 48 kHz into 8 kHz, keeping filter state across calls.
type downsampler struct {
	h   [firLen]float32                    // reversed, so the inner loop walks both forward
	buf [firLen - 1 + FrameSamples]float32 // history then the new block
}

func newDownsampler() *downsampler {
	d := &downsampler{h: lowPass()}
	for i, j := 0, firLen-1; i < j; i, j = i+1, j-1 {
		d.h[i], d.h[j] = d.h[j], d.h[i]
	}
	return d
}

// Process consumes in (a multiple of 6 samples; extra are ignored) and
// writes len(in)/6 samples to out, returning how many.
func (d *downsampler) Process(in []int16, out []int16) int {
	n := 0
	for len(in) >= resampleFactor && n < len(out) {
		block := min(len(in)/resampleFactor*resampleFactor, FrameSamples, (len(out)-n)*resampleFactor)
		hist := d.buf[:firLen-1+block]
		for i, s := range in[:block] {
			hist[firLen-1+i] = float32(s)
		}
		for j := 0; j < block/resampleFactor; j++ {
			newest := firLen - 1 + j*resampleFactor + resampleFactor - 1
			var acc float32
			win := (*[firLen]float32)(hist[newest-firLen+1 : newest+1])
			for k := range win {
				acc += d.h[k] * win[k]
			}
			out[n] = clamp16(acc)
			n++
		}
		copy(d.buf[:firLen-1], hist[block:])
		in = in[block:]
	}
	return n
}

const upsampleBlock = FrameSamples / resampleFactor

// upsampler turns 8 kHz into 48 kHz with the polyphase form of the same
// filter: each output phase uses every sixth tap.
type upsampler struct {
	phases [resampleFactor][tapsPerPhase]float32
	hist   [tapsPerPhase - 1 + upsampleBlock]float32
}

func newUpsampler() *upsampler {
	u := &upsampler{}
	h := lowPass()
	for p := range resampleFactor {
		for i := range tapsPerPhase {
			u.phases[p][i] = h[p+resampleFactor*i] * resampleFactor
		}
	}
	return u
}

// Process writes 6*len(in) samples to out (bounded by len(out)) and returns
// how many.
func (u *upsampler) Process(in []int16, out []int16) int {
	n := 0
	for len(in) > 0 && n+resampleFactor <= len(out) {
		block := min(len(in), upsampleBlock, (len(out)-n)/resampleFactor)
		buf := u.hist[:tapsPerPhase-1+block]
		for i, s := range in[:block] {
			buf[tapsPerPhase-1+i] = float32(s)
		}
		for m := range block {
			newest := tapsPerPhase - 1 + m
			for p := range resampleFactor {
				var acc float32
				ph := &u.phases[p]
				for i := range tapsPerPhase {
					acc += ph[i] * buf[newest-i]
				}
				out[n] = clamp16(acc)
				n++
			}
		}
		copy(u.hist[:tapsPerPhase-1], buf[block:])
		in = in[block:]
	}
	return n
}
