package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// A peer sending 30 ms PCMU packets (ptime:30) is played without gaps:
// decoded audio is queued and cut into 20 ms frames.
func TestReceiveOtherPacketTimes(t *testing.T) {
	for _, ptime := range []int{10, 30, 40} {
		s, err := NewSession(loopback, SessionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		remote := netip.AddrPortFrom(loopback, 40000)
		pcmu, _ := LookupCodec("pcmu")
		s.params = SessionParams{Remote: remote, Codec: pcmu}
		s.remote = remote
		s.dec = newG711Decoder(true)
		p := &player{s: s}
		tab := newG711Tables(true)
		per := 8 * ptime // samples per packet at 8 kHz
		src := tone(8000*3, 8000, 500, 8000)
		t0 := time.Unix(1000, 0)
		var out []int16
		var pkt rtp.Packet
		pkt.Version, pkt.SSRC, pkt.PayloadType = 2, 1, 0
		next := 0 // next packet index
		for frame := 0; frame < 140; frame++ {
			now := t0.Add(time.Duration(frame) * FrameDuration)
			for ; time.Duration(next*ptime)*time.Millisecond <= now.Sub(t0) && (next+1)*per <= len(src); next++ {
				payload := make([]byte, per)
				for i := range payload {
					payload[i] = tab.enc[uint16(src[next*per+i])]
				}
				pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = uint16(next), uint32(next*per), payload
				s.handleRTP(&pkt, remote, now)
			}
			p.produce(now)
			out = append(out, p.out[:]...)
		}
		st := s.Stats()
		// Skip the prefill, then every frame must carry the tone.
		quiet := 0
		for i := 10 * FrameSamples; i+FrameSamples <= len(out); i += FrameSamples {
			if rms(out[i:i+FrameSamples]) < 3000 {
				quiet++
			}
		}
		t.Logf("ptime %d: %d quiet frames, concealed %d", ptime, quiet, st.Concealed)
		if quiet > 0 || st.Concealed > 2 {
			t.Fatalf("ptime %d: %d quiet frames, %d concealed", ptime, quiet, st.Concealed)
		}
	}
}
