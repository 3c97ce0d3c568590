package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func rtpSeed(pt uint8, seq uint16, ts uint32, payload []byte) []byte {
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: 0x1234}, Payload: payload}
	b, _ := p.Marshal()
	return b
}

// FuzzRTPDepacketize feeds arbitrary datagrams through the receive path
// (parse, address/payload-type sorting, DTMF, jitter buffer, decode).
func FuzzRTPDepacketize(f *testing.F) {
	f.Add(rtpSeed(0, 1, 160, bytes.Repeat([]byte{0xff}, 160)))
	f.Add(rtpSeed(101, 2, 160, []byte{5, 0x8a, 3, 0x20}))
	f.Add(rtpSeed(111, 3, 960, []byte{0xf8, 0xff, 0xfe}))
	f.Add(rtpSeed(8, 65535, 0xffffffff, []byte{0xd5}))
	ext := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, Extension: true, ExtensionProfile: 0xbede, CSRC: []uint32{1, 2}}, Payload: []byte{1, 2, 3}}
	_ = ext.SetExtension(1, []byte{0xaa})
	b, _ := ext.Marshal()
	f.Add(b)
	f.Add([]byte{0x80})
	f.Add([]byte{0xa0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9}) // padding longer than the packet

	s, err := NewSession(loopback, SessionOptions{})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	remote := netip.AddrPortFrom(loopback, 40000)
	te := DefaultTelephoneEvent()
	pcmu, _ := LookupCodec("pcmu")
	s.params = SessionParams{Remote: remote, Codec: pcmu, DTMF: &te}
	s.remote = remote
	s.dec = newG711Decoder(true)
	p := &player{s: s}
	var pkt rtp.Packet
	now := time.Unix(1000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		now = now.Add(FrameDuration)
		if err := pkt.Unmarshal(data); err != nil || pkt.Version != 2 {
			return
		}
		s.handleRTP(&pkt, remote, now)
		select {
		case <-s.dtmfOut:
		default:
		}
		p.produce(now)
		if s.jb.count < 0 || s.jb.count > jbSlots {
			t.Fatalf("jitter buffer holds %d packets", s.jb.count)
		}
	})
}

// FuzzJitterBuffer runs random push/pop programs and checks that packets
// come out once each, in sequence order, between resets.
func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 2, 1, 0, 0, 3, 1, 0, 0})
	f.Add([]byte{0, 0xff, 0xff, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1})
	f.Add([]byte{0, 0x10, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 1, 0, 1})
	f.Fuzz(func(t *testing.T, prog []byte) {
		jb := newJitterBuffer()
		now := time.Unix(1000, 0)
		cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
		var lastOut uint16
		haveOut := false
		resets := jb.stats.Resets
		for len(prog) >= 4 {
			op, a, b, c := prog[0], prog[1], prog[2], prog[3]
			prog = prog[4:]
			switch op % 3 {
			case 0: // push seq (a,b), ssrc c&1
				seq := uint16(a)<<8 | uint16(b)
				var payload [2]byte
				binary.BigEndian.PutUint16(payload[:], seq)
				jb.Push(seq, uint32(c&1), payload[:], c&2 != 0, now)
			case 1: // pop
				kind, cn, _ := jb.Pop(now, cur, nxt)
				if jb.stats.Resets != resets {
					resets, haveOut = jb.stats.Resets, false
				}
				if kind == popPacket {
					if cn != 2 {
						t.Fatalf("payload of %d bytes", cn)
					}
					seq := binary.BigEndian.Uint16(cur)
					if haveOut && int16(seq-lastOut) <= 0 {
						t.Fatalf("packet %d after %d", seq, lastOut)
					}
					lastOut, haveOut = seq, true
				}
			case 2: // time passes
				now = now.Add(time.Duration(a) * time.Millisecond)
			}
			if jb.count < 0 || jb.count > jbSlots {
				t.Fatalf("count %d", jb.count)
			}
			used := 0
			for i := range jb.slots {
				if jb.slots[i].used {
					used++
				}
			}
			if used != jb.count {
				t.Fatalf("count %d but %d slots used", jb.count, used)
			}
		}
	})
}

// FuzzWAVSource parses arbitrary files as WAV without crashing or looping.
func FuzzWAVSource(f *testing.F) {
	h := wavHeader(4)
	f.Add(append(h, 1, 0, 2, 0, 3, 0, 4, 0))
	stereo := wavHeader(2)
	stereo[22] = 2
	binary.LittleEndian.PutUint32(stereo[24:], 22050)
	f.Add(append(stereo, 1, 0, 2, 0, 3, 0, 4, 0))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEjunk\x04\x00\x00\x00abcd"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &WAVSource{r: bufio.NewReader(bytes.NewReader(data)), path: "fuzz"}
		if err := s.readHeader(); err != nil {
			return
		}
		s.conv = newRateConverter(s.rate, SampleRate)
		frame := make([]int16, FrameSamples)
		// A valid header can claim a huge data chunk; the reader stops at
		// the real end.
		for i := 0; ; i++ {
			if i > len(data)*400/FrameSamples+10 {
				t.Fatalf("still reading after %d frames of a %d-byte file", i, len(data))
			}
			if s.Read(frame) != nil {
				return
			}
		}
	})
}
