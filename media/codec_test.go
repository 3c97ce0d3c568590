package media

import (
	"math"
	"path/filepath"
	"testing"
)

// snrAligned finds the lag (0..maxLag) at which got best matches want and
// returns the SNR in dB there, skipping the first skip samples (filter
// start-up).
func snrAligned(want, got []int16, maxLag, skip int) (snr float64, lag int) {
	best := math.Inf(-1)
	for l := 0; l <= maxLag; l++ {
		var sig, noise float64
		for i := skip; i+l < len(got) && i < len(want); i++ {
			d := float64(got[i+l]) - float64(want[i])
			sig += float64(want[i]) * float64(want[i])
			noise += d * d
		}
		s := 10 * math.Log10(sig/math.Max(noise, 1e-9))
		if s > best {
			best, lag = s, l
		}
	}
	return best, lag
}

func TestG711LawsRoundTrip(t *testing.T) {
	for _, mu := range []bool{true, false} {
		tab := newG711Tables(mu)
		// Every code decodes to a value that encodes back to itself
		// (except the two zeros of μ-law that share a value).
		for code := range 256 {
			back := tab.enc[uint16(tab.dec[code])]
			if back != byte(code) && tab.dec[back] != tab.dec[code] {
				t.Fatalf("mu=%v: code %#x -> %d -> %#x", mu, code, tab.dec[code], back)
			}
		}
		// Known values from ITU-T G.711: silence codes and full scale.
		if mu && (tab.enc[0] != 0xff || tab.dec[0x80] != 32124) {
			t.Fatalf("μ-law: enc(0)=%#x dec(0x80)=%d", tab.enc[0], tab.dec[0x80])
		}
		if !mu && (tab.enc[0] != 0xd5 || tab.dec[0xd5] != 8) {
			t.Fatalf("A-law: enc(0)=%#x dec(0xd5)=%d", tab.enc[0], tab.dec[0xd5])
		}
	}
}

// G.711 at 8 kHz plus the resamplers: a 1 kHz tone through encode/decode
// keeps > 30 dB SNR (G.711 alone gives about 38 dB).
func TestG711CodecSNR(t *testing.T) {
	for _, mu := range []bool{true, false} {
		enc, dec := newG711Encoder(mu), newG711Decoder(mu)
		in := tone(SampleRate/2, SampleRate, 1000, 10000)
		var out []int16
		payload := make([]byte, 200)
		pcm := make([]int16, maxDecodedSamples)
		for i := 0; i+FrameSamples <= len(in); i += FrameSamples {
			n, _ := enc.Encode(in[i:i+FrameSamples], payload)
			if n != 160 {
				t.Fatalf("payload %d bytes, want 160", n)
			}
			m, _ := dec.Decode(payload[:n], pcm)
			out = append(out, pcm[:m]...)
		}
		snr, lag := snrAligned(in, out, 400, 2000)
		t.Logf("mu=%v SNR %.1f dB at lag %d", mu, snr, lag)
		if snr < 30 {
			t.Fatalf("mu=%v: SNR %.1f dB < 30", mu, snr)
		}
	}
}

// The resamplers keep telephone-band audio and remove what would alias.
func TestResamplerFrequencyResponse(t *testing.T) {
	through := func(hz float64) (in, out []int16) {
		down, up := newDownsampler(), newUpsampler()
		in = tone(SampleRate/2, SampleRate, hz, 10000)
		nb := make([]int16, 160)
		wb := make([]int16, FrameSamples)
		for i := 0; i+FrameSamples <= len(in); i += FrameSamples {
			n := down.Process(in[i:i+FrameSamples], nb)
			m := up.Process(nb[:n], wb)
			out = append(out, wb[:m]...)
		}
		return in, out
	}
	in, out := through(1000)
	snr, lag := snrAligned(in, out, 400, 2000)
	t.Logf("1 kHz: SNR %.1f dB, delay %d samples", snr, lag)
	if snr < 40 {
		t.Fatalf("1 kHz tone: SNR %.1f dB < 40", snr)
	}
	for _, hz := range []float64{6000, 10000} {
		in, out := through(hz)
		att := 20 * math.Log10(rms(out[2000:])/rms(in[2000:]))
		t.Logf("%.0f Hz: %.1f dB", hz, att)
		if att > -50 {
			t.Fatalf("%.0f Hz tone attenuated only %.1f dB", hz, att)
		}
	}
}

func TestResamplersDoNotAllocate(t *testing.T) {
	down, up := newDownsampler(), newUpsampler()
	in := tone(FrameSamples, SampleRate, 440, 1000)
	nb := make([]int16, 160)
	wb := make([]int16, FrameSamples)
	allocs := testing.AllocsPerRun(100, func() {
		n := down.Process(in, nb)
		up.Process(nb[:n], wb)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per frame", allocs)
	}
}

func TestOpusRoundTrip(t *testing.T) {
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	enc, err := newOpusEncoder(0)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := newOpusDecoder()
	if err != nil {
		t.Fatal(err)
	}
	in := speechLike(SampleRate, SampleRate)
	var out []int16
	payload := make([]byte, maxPayloadSize)
	pcm := make([]int16, maxDecodedSamples)
	var bytes int
	for i := 0; i+FrameSamples <= len(in); i += FrameSamples {
		n, err := enc.Encode(in[i:i+FrameSamples], payload)
		if err != nil {
			t.Fatal(err)
		}
		bytes += n
		m, err := dec.Decode(payload[:n], pcm)
		if err != nil || m != FrameSamples {
			t.Fatalf("decode: %d samples, %v", m, err)
		}
		out = append(out, pcm[:m]...)
	}
	kbps := float64(bytes*8) / 1000
	c, lag := bestCorrelation(toFloat(in), toFloat(out), 400)
	t.Logf("opus: %.1f kbit/s, waveform correlation %.3f at lag %d", kbps, c, lag)
	if c < 0.8 {
		t.Fatalf("waveform correlation %.3f < 0.8", c)
	}
	if kbps < 10 || kbps > 45 {
		t.Fatalf("bitrate %.1f kbit/s, configured 32", kbps)
	}
}

// With the loss hint set, Opus packets carry FEC that rebuilds a lost frame
// better than PLC does.
func TestOpusFECBeatsPLC(t *testing.T) {
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	enc, _ := newOpusEncoder(0)
	enc.SetPacketLossPerc(20)
	in := speechLike(SampleRate, SampleRate)
	var packets [][]byte
	buf := make([]byte, maxPayloadSize)
	for i := 0; i+FrameSamples <= len(in); i += FrameSamples {
		n, _ := enc.Encode(in[i:i+FrameSamples], buf)
		packets = append(packets, append([]byte(nil), buf[:n]...))
	}
	run := func(useFEC bool) float64 {
		dec, _ := newOpusDecoder()
		ref, _ := newOpusDecoder()
		pcm := make([]int16, FrameSamples)
		want := make([]int16, FrameSamples)
		var errSum, sig float64
		for i, p := range packets {
			_, _ = ref.Decode(p, want)
			if i%5 == 3 { // lost
				ok := false
				if useFEC {
					ok, _ = dec.DecodeFEC(packets[i+1], pcm)
				}
				if !ok {
					_ = dec.Conceal(pcm)
				}
				for j := range pcm {
					d := float64(pcm[j]) - float64(want[j])
					errSum += d * d
					sig += float64(want[j]) * float64(want[j])
				}
				continue
			}
			_, _ = dec.Decode(p, pcm)
		}
		return 10 * math.Log10(sig/errSum)
	}
	fec, plc := run(true), run(false)
	t.Logf("lost frames: FEC SNR %.1f dB, PLC %.1f dB", fec, plc)
	if fec <= plc {
		t.Fatalf("FEC (%.1f dB) no better than PLC (%.1f dB)", fec, plc)
	}
}

func TestLookupCodec(t *testing.T) {
	for name, want := range map[string]string{"OPUS": "opus", "pcmu": "PCMU", "PcmA": "PCMA"} {
		c, ok := LookupCodec(name)
		if !ok || c.Name != want {
			t.Fatalf("LookupCodec(%q) = %+v, %v", name, c, ok)
		}
	}
	if _, ok := LookupCodec("g729"); ok {
		t.Fatal("g729 found")
	}
	if c := DefaultTelephoneEvent(); c.PayloadType != 101 || c.Fmtp != "0-16" {
		t.Fatalf("telephone-event %+v", c)
	}
	cs := DefaultCodecs()
	if opusAvailable && (cs[0].Name != "opus" || cs[0].PayloadType != 111 || cs[0].Channels != 2) {
		t.Fatalf("default codecs %+v", cs)
	}
}

func TestEModel(t *testing.T) {
	ms := func(v float64) float64 { return v }
	cases := []struct {
		oneWay, jitter, loss float64 // ms, ms, %
		r, mos               float64
	}{
		{0, 0, 0, 92.95, 4.40},
		{40, 5, 0, 91.7, 4.38},   // eff 60: 93.2 - 1.5
		{150, 0, 0, 89.2, 4.32},  // eff 160: 93.2 - 4
		{300, 20, 0, 70.2, 3.61}, // eff 350: 93.2 - 23
		{40, 5, 10, 66.7, 3.43},
		{100, 0, 50, 0, 1},
	}
	for _, c := range cases {
		r, mos := EModel(msDur(ms(c.oneWay)), msDur(c.jitter), c.loss)
		if math.Abs(r-c.r) > 0.05 || math.Abs(mos-c.mos) > 0.01 {
			t.Errorf("EModel(%v ms, %v ms, %v%%) = R %.2f MOS %.2f, want %.2f / %.2f", c.oneWay, c.jitter, c.loss, r, mos, c.r, c.mos)
		}
	}
}

func TestDTMFPayloadAndSender(t *testing.T) {
	b := make([]byte, 4)
	dtmfPayload{Event: 11, End: true, Volume: 10, Duration: 800}.marshal(b)
	if b[0] != 11 || b[1] != 0x8a || b[2] != 3 || b[3] != 0x20 {
		t.Fatalf("payload % x", b)
	}
	q := make(chan rune, 4)
	q <- '#'
	var d dtmfSender
	var got []string
	out := make([]byte, 4)
	for i := range 12 {
		n, ts, marker, ok := d.next(q, uint32(1000+160*i), 160, 8000, out)
		if !ok {
			got = append(got, "audio")
			continue
		}
		p, _ := parseDTMF(out[:n])
		got = append(got, fmtDTMF(p, ts, marker))
	}
	want := []string{
		"#@1000 d160 M", "#@1000 d320", "#@1000 d480", "#@1000 d640", "#@1000 d800 E",
		"#@1000 d800 E", "#@1000 d800 E", "audio", "audio", "audio", "audio", "audio",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("slot %d: got %v\nwant %v", i, got, want)
		}
	}
	var r dtmfReceiver
	var digits []rune
	for _, pkt := range [][]byte{{11, 10, 0, 160}, {11, 10, 1, 64}, {11, 0x8a, 3, 32}, {11, 0x8a, 3, 32}, {16, 0, 0, 1}} {
		if d, ok := r.receive(5, 1000, pkt); ok {
			digits = append(digits, d)
		}
	}
	if d, ok := r.receive(5, 2000, []byte{1, 0x8a, 3, 32}); ok { // only the end packets arrived
		digits = append(digits, d)
	}
	if string(digits) != "#1" {
		t.Fatalf("received %q, want \"#1\"", string(digits))
	}
}

func fmtDTMF(p dtmfPayload, ts uint32, marker bool) string {
	s := string(dtmfDigits[p.Event]) + "@" + itoa(int(ts)) + " d" + itoa(int(p.Duration))
	if marker {
		s += " M"
	}
	if p.End {
		s += " E"
	}
	return s
}

func TestWAVSourceConvertsRateAndChannels(t *testing.T) {
	dir := t.TempDir()
	// 22050 Hz stereo (espeak-ng's rate), 1 kHz in both channels.
	mono := tone(22050, 22050, 1000, 8000)
	stereo := make([]int16, 0, 2*len(mono))
	for _, v := range mono {
		stereo = append(stereo, v, v)
	}
	path := filepath.Join(dir, "s.wav")
	writeTestWAV(t, path, 22050, 2, stereo)
	src, err := OpenWAVSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []int16
	frame := make([]int16, FrameSamples)
	for src.Read(frame) == nil {
		got = append(got, frame...)
	}
	if len(got) < SampleRate-FrameSamples || len(got) > SampleRate+FrameSamples {
		t.Fatalf("1 s at 22.05 kHz became %d samples at 48 kHz", len(got))
	}
	want := tone(len(got), SampleRate, 1000, 8000)
	snr, lag := snrAligned(want, got, 200, 1000)
	if snr < 30 {
		t.Fatalf("resampled tone SNR %.1f dB at lag %d", snr, lag)
	}
	if err := src.Read(frame); err != errEOF {
		t.Fatalf("after the end: %v", err)
	}
}

func TestWAVSinkRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateWAVSink(path)
	if err != nil {
		t.Fatal(err)
	}
	in := speechLike(3*FrameSamples, SampleRate)
	for i := 0; i < len(in); i += FrameSamples {
		if err := sink.Write(in[i : i+FrameSamples]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	src, err := OpenWAVSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	frame := make([]int16, FrameSamples)
	for i := 0; i < len(in); i += FrameSamples {
		if err := src.Read(frame); err != nil {
			t.Fatal(err)
		}
		for j := range frame {
			if frame[j] != in[i+j] {
				t.Fatalf("sample %d: %d != %d", i+j, frame[j], in[i+j])
			}
		}
	}
	if err := src.Read(frame); err != errEOF {
		t.Fatalf("after 3 frames: %v", err)
	}
}

func TestOpenWAVSourceRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"empty.wav": {},
		"text.wav":  []byte("hello, this is not a wav file at all"),
		"float.wav": func() []byte {
			h := wavHeader(0)
			h[20] = 3 // IEEE float
			return h
		}(),
	} {
		path := filepath.Join(dir, name)
		writeFile(t, path, content)
		if _, err := OpenWAVSource(path); err == nil {
			t.Fatalf("%s accepted", name)
		}
	}
}
