package media

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

// loopSource repeats samples forever.
type loopSource struct {
	samples []int16
	pos     int
}

func (l *loopSource) Read(frame []int16) error {
	for i := range frame {
		frame[i] = l.samples[l.pos]
		l.pos = (l.pos + 1) % len(l.samples)
	}
	return nil
}

func benchCodec(b *testing.B, name string) {
	codec, _ := LookupCodec(name)
	if !CodecAvailable(codec) {
		b.Skip(name + " not in this build")
	}
	enc, err := newEncoder(codec, DefaultOpusBitrate)
	if err != nil {
		b.Fatal(err)
	}
	dec, _ := newDecoder(codec)
	in := speechLike(SampleRate, SampleRate)
	payload := make([]byte, maxPayloadSize)
	pcm := make([]int16, maxDecodedSamples)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			off := (i % 50) * FrameSamples
			if _, err := enc.Encode(in[off:off+FrameSamples], payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	n, _ := enc.Encode(in[:FrameSamples], payload)
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := dec.Decode(payload[:n], pcm); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkOpusFrame(b *testing.B) { benchCodec(b, "opus") }
func BenchmarkPCMUFrame(b *testing.B) { benchCodec(b, "pcmu") }

// BenchmarkSessionCallMinute runs one endpoint's work for a minute of call
// (3000 frames each way) without waiting for real time: read and encode
// the source, packetize and send over a real loopback socket, receive,
// sort, jitter-buffer, decode and play out. ns/op is CPU time per
// call-minute per endpoint.
func BenchmarkSessionCallMinute(b *testing.B) {
	for _, name := range []string{"opus", "pcmu"} {
		b.Run(name, func(b *testing.B) {
			codec, _ := LookupCodec(name)
			if !CodecAvailable(codec) {
				b.Skip(name + " not in this build")
			}
			a, err := NewSession(loopback, SessionOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			rx, err := NewSession(loopback, SessionOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer rx.Close()
			enc, dec, err := newCodecPair(SessionParams{Remote: rx.LocalAddr(), Codec: codec}, DefaultOpusBitrate)
			if err != nil {
				b.Fatal(err)
			}
			a.params = SessionParams{Remote: rx.LocalAddr(), Codec: codec}
			a.remote, a.enc = rx.LocalAddr(), enc
			rx.params = SessionParams{Remote: a.LocalAddr(), Codec: codec}
			rx.remote, rx.dec = a.LocalAddr(), dec
			sd := &sender{s: a, src: &loopSource{samples: speechLike(SampleRate, SampleRate)}, enc: enc}
			sd.pkt.Version, sd.pkt.SSRC = 2, a.ssrc
			p := &player{s: rx}
			var buf [2048]byte
			var pkt rtp.Packet
			now := time.Unix(1000, 0)
			b.ReportAllocs()
			for b.Loop() {
				for range 3000 {
					now = now.Add(FrameDuration)
					sd.sendFrame(now)
					n, from, err := rx.rtpConn.ReadFromUDPAddrPort(buf[:])
					if err != nil {
						b.Fatal(err)
					}
					if err := pkt.Unmarshal(buf[:n]); err != nil {
						b.Fatal(err)
					}
					rx.handleRTP(&pkt, unmapAddrPort(from), now)
					p.produce(now)
				}
			}
			if st := rx.Stats(); st.PacketsLost != 0 || st.Concealed > 2 {
				b.Fatalf("lost %d, concealed %d", st.PacketsLost, st.Concealed)
			}
		})
	}
}

// BenchmarkSessionRealTime runs a real two-endpoint Opus call on loopback
// for 20 s of wall time (goroutines, tickers, sockets, RTCP: everything)
// and reports the process CPU time per endpoint per call-minute, the
// figure to compare with baresip's.
func BenchmarkSessionRealTime(b *testing.B) {
	codec, _ := LookupCodec("opus")
	if !CodecAvailable(codec) {
		b.Skip("opus not in this build")
	}
	const wall = 20 * time.Second
	for b.Loop() {
		x, err := NewSession(loopback, SessionOptions{})
		if err != nil {
			b.Fatal(err)
		}
		y, err := NewSession(loopback, SessionOptions{})
		if err != nil {
			b.Fatal(err)
		}
		before := cpuTime()
		_ = x.Start(SessionParams{Remote: y.LocalAddr(), Codec: codec}, &loopSource{samples: speechLike(SampleRate, SampleRate)}, nil)
		_ = y.Start(SessionParams{Remote: x.LocalAddr(), Codec: codec}, &loopSource{samples: speechLike(SampleRate, SampleRate)}, nil)
		time.Sleep(wall)
		x.Close()
		y.Close()
		used := cpuTime() - before
		b.ReportMetric(used.Seconds()/2*float64(time.Minute)/float64(wall), "cpu-s/call-min/endpoint")
	}
}
