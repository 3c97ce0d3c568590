package media

// G.711 μ-law and A-law (ITU-T G.711), with 48 kHz <-> 8 kHz resampling
// around them so the rest of the pipeline only sees 48 kHz frames.

const (
	muLawBias = 0x84
	muLawClip = 32635
)

func linearToMuLaw(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > muLawClip {
		v = muLawClip
	}
	v += muLawBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0f
	return ^byte(sign | exp<<4 | mant)
}

func muLawToLinear(u byte) int16 {
	u = ^u
	t := (int(u&0x0f) << 3) + muLawBias
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(muLawBias - t)
	}
	return int16(t - muLawBias)
}

func linearToALaw(s int16) byte {
	v := int(s) >> 3 // A-law works on 13-bit magnitudes
	mask := 0xd5
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	var exp int
	for exp = 0; exp < 8 && v > (0x1f<<exp)|((1<<exp)-1); exp++ {
	}
	if exp >= 8 {
		return byte(0x7f ^ mask)
	}
	var a int
	if exp < 2 {
		a = v >> 1
	} else {
		a = v >> exp
	}
	a = (exp << 4) | (a & 0x0f)
	return byte(a ^ mask)
}

func aLawToLinear(a byte) int16 {
	a ^= 0x55
	t := int(a&0x0f) << 4
	seg := int(a&0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// g711Tables holds both directions for one law; encoding uses a 64 Ki table
// so the hot path is one lookup per sample.
type g711Tables struct {
	enc [65536]byte
	dec [256]int16
}

func newG711Tables(mu bool) *g711Tables {
	t := &g711Tables{}
	for i := range t.enc {
		s := int16(uint16(i))
		if mu {
			t.enc[i] = linearToMuLaw(s)
		} else {
			t.enc[i] = linearToALaw(s)
		}
	}
	for i := range t.dec {
		if mu {
			t.dec[i] = muLawToLinear(byte(i))
		} else {
			t.dec[i] = aLawToLinear(byte(i))
		}
	}
	return t
}

type g711Encoder struct {
	mu   bool
	tab  *g711Tables
	down *downsampler
	nb   [FrameSamples / resampleFactor]int16
}

func newG711Encoder(mu bool) *g711Encoder {
	return &g711Encoder{mu: mu, tab: newG711Tables(mu), down: newDownsampler()}
}

func (e *g711Encoder) Encode(frame []int16, out []byte) (int, error) {
	n := e.down.Process(frame, e.nb[:])
	for i, s := range e.nb[:n] {
		out[i] = e.tab.enc[uint16(s)]
	}
	return n, nil
}

func (e *g711Encoder) SetPacketLossPerc(int) {}
func (e *g711Encoder) SetBitrate(int)        {}
func (e *g711Encoder) RTPSamples() uint32    { return FrameSamples / resampleFactor }
func (e *g711Encoder) Close()                {}
func (e *g711Encoder) String() string {
	if e.mu {
		return "PCMU(enc 8k)"
	}
	return "PCMA(enc 8k)"
}

type g711Decoder struct {
	mu   bool
	tab  *g711Tables
	up   *upsampler
	nb   [maxDecodedSamples / resampleFactor]int16
	last [FrameSamples]int16 // last good frame, replayed (fading) on loss
	fade int                 // consecutive concealed frames
}

func newG711Decoder(mu bool) *g711Decoder {
	return &g711Decoder{mu: mu, tab: newG711Tables(mu), up: newUpsampler()}
}

func (d *g711Decoder) Decode(payload []byte, pcm []int16) (int, error) {
	n := min(len(payload), len(d.nb), len(pcm)/resampleFactor)
	for i, b := range payload[:n] {
		d.nb[i] = d.tab.dec[b]
	}
	out := d.up.Process(d.nb[:n], pcm)
	if out >= FrameSamples {
		copy(d.last[:], pcm[out-FrameSamples:out])
	}
	d.fade = 0
	return out, nil
}

func (d *g711Decoder) DecodeFEC([]byte, []int16) (bool, error) { return false, nil }

// Conceal repeats the last good frame, 6 dB quieter each time, so a burst
// of loss fades out instead of buzzing.
func (d *g711Decoder) Conceal(pcm []int16) error {
	d.fade++
	shift := uint(d.fade)
	for i := range pcm {
		if shift > 15 {
			pcm[i] = 0
			continue
		}
		pcm[i] = d.last[i%FrameSamples] >> shift
	}
	return nil
}

func (d *g711Decoder) Close() {}
func (d *g711Decoder) String() string {
	if d.mu {
		return "PCMU(dec 8k)"
	}
	return "PCMA(dec 8k)"
}
