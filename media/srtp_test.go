package media

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func srtpPair(t *testing.T, suite string) (ab, ba *SRTP) {
	t.Helper()
	ka, err := NewSRTPKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := NewSRTPKey(suite)
	if err != nil {
		t.Fatal(err)
	}
	return &SRTP{Suite: suite, Local: ka, Remote: kb}, &SRTP{Suite: suite, Local: kb, Remote: ka}
}

// TestSessionSRTPRoundTrip: with every suite we support, audio, DTMF and
// RTCP (whose RTT needs both sides to decrypt the other's reports) cross
// an encrypted session.
func TestSessionSRTPRoundTrip(t *testing.T) {
	t.Parallel()
	for _, suite := range SRTPSuites() {
		t.Run(suite, func(t *testing.T) {
			t.Parallel()
			codec, _ := LookupCodec("pcmu")
			te := DefaultTelephoneEvent()
			ka, kb := srtpPair(t, suite)
			a, b := newTestSession(t), newTestSession(t)
			a.rtcpEvery, b.rtcpEvery = 100*time.Millisecond, 100*time.Millisecond
			signal := tone(SampleRate, SampleRate, 440, 8000)
			sink := newMemSink(SampleRate / 2)
			if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, DTMF: &te, SRTP: kb}, nil, sink); err != nil {
				t.Fatal(err)
			}
			if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, DTMF: &te, SRTP: ka}, &memSource{samples: signal}, nil); err != nil {
				t.Fatal(err)
			}
			waitOrFail(t, sink.full, 10*time.Second, "audio over SRTP")
			if r := rms(sink.snapshot()[SampleRate/10:]); r < 2000 {
				t.Fatalf("decrypted audio rms %.0f: not the tone", r)
			}
			if err := a.SendDTMF("7"); err != nil {
				t.Fatal(err)
			}
			select {
			case d := <-b.DTMF():
				if d != '7' {
					t.Fatalf("DTMF %q, want 7", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no DTMF over SRTP")
			}
			deadline := time.Now().Add(5 * time.Second)
			for a.Stats().RTTMs <= 0 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			st := a.Stats()
			if st.RTTMs <= 0 || st.SRTP != suite || st.SRTPRejected != 0 {
				t.Fatalf("sender stats over SRTCP: %+v", st)
			}
			if st := b.Stats(); st.SRTPRejected != 0 || st.SRTP != suite {
				t.Fatalf("receiver stats: %+v", st)
			}
		})
	}
}

// TestSessionSRTPWrongKeyPlaysNothing: packets that do not authenticate
// are counted and dropped, never decoded.
func TestSessionSRTPWrongKeyPlaysNothing(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	const suite = "AES_CM_128_HMAC_SHA1_80"
	ka, kb := srtpPair(t, suite)
	wrong, _ := NewSRTPKey(suite)
	kb.Remote = wrong
	a, b := newTestSession(t), newTestSession(t)
	sink := newMemSink(SampleRate)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, SRTP: kb}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, SRTP: ka}, &memSource{samples: tone(SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	st := b.Stats()
	if st.PacketsReceived != 0 || st.SRTPRejected < 20 {
		t.Fatalf("with the wrong key: %+v", st)
	}
	if r := rms(sink.snapshot()); r > 10 {
		t.Fatalf("played audio (rms %.0f) from packets that failed authentication", r)
	}
}

// TestSessionSRTPOnTheWire: what leaves the socket is not the plain RTP
// payload, and carries the 80-bit authentication tag.
func TestSessionSRTPOnTheWire(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	ka, _ := srtpPair(t, "AES_CM_128_HMAC_SHA1_80")
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	a := newTestSession(t)
	// Silence in PCMU is 0xFF bytes: easy to recognise if it went out plain.
	if err := a.Start(SessionParams{Remote: peer.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: codec, SRTP: ka}, nil, nil); err != nil {
		t.Fatal(err)
	}
	_ = peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1500)
	n, err := peer.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(buf[:n]); err != nil {
		t.Fatal(err)
	}
	const frame, tag = 160, 10
	if len(pkt.Payload) != frame+tag {
		t.Fatalf("payload %d bytes, want %d of audio + %d of tag", len(pkt.Payload), frame, tag)
	}
	if bytes.Count(pkt.Payload[:frame], []byte{0xFF}) > frame/4 {
		t.Fatalf("payload looks like plain PCMU silence: % x", pkt.Payload[:16])
	}
}

// TestSessionSRTPRejectsBadKeys: a key of the wrong length or an unknown
// suite fails Start with an error, not a panic.
func TestSessionSRTPRejectsBadKeys(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	remote := netip.MustParseAddrPort("127.0.0.1:9")
	for _, k := range []SRTP{
		{Suite: "AES_CM_128_HMAC_SHA1_80", Local: make([]byte, 30), Remote: make([]byte, 16)},
		{Suite: "F8_128_HMAC_SHA1_80", Local: make([]byte, 30), Remote: make([]byte, 30)},
	} {
		s := newTestSession(t)
		if err := s.Start(SessionParams{Remote: remote, Codec: codec, SRTP: &k}, nil, nil); err == nil {
			t.Fatalf("Start accepted %s with %d/%d-byte keys", k.Suite, len(k.Local), len(k.Remote))
		}
	}
}

// TestSessionSRTPRekeyOnUpdate: a re-INVITE with new keys takes effect;
// repeating the same keys keeps the contexts.
func TestSessionSRTPRekeyOnUpdate(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	const suite = "AEAD_AES_128_GCM"
	ka, kb := srtpPair(t, suite)
	a, b := newTestSession(t), newTestSession(t)
	sink := newMemSink(10 * SampleRate)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, SRTP: kb}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, SRTP: ka}, nil, nil); err != nil {
		t.Fatal(err)
	}
	before := b.sec.Load()
	if err := b.Update(SessionParams{Remote: a.LocalAddr(), Codec: codec, SRTP: &SRTP{Suite: suite, Local: bytes.Clone(kb.Local), Remote: bytes.Clone(kb.Remote)}}); err != nil {
		t.Fatal(err)
	}
	if b.sec.Load() != before {
		t.Fatal("the same keys replaced the SRTP contexts")
	}
	na, nb := srtpPair(t, suite)
	if err := a.Update(SessionParams{Remote: b.LocalAddr(), Codec: codec, SRTP: na}); err != nil {
		t.Fatal(err)
	}
	if err := b.Update(SessionParams{Remote: a.LocalAddr(), Codec: codec, SRTP: nb}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // packets in flight under the old keys
	got := b.Stats().PacketsReceived
	deadline := time.Now().Add(5 * time.Second)
	for b.Stats().PacketsReceived < got+15 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if b.Stats().PacketsReceived < got+15 {
		t.Fatalf("no packets accepted after re-keying: %+v", b.Stats())
	}
}
