package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// The sender is paced by the session clock, not by the source: a WAV
// source is read one frame per 20 ms, timestamps advance 960 per frame, and
// a late wake-up sends the missed frames at once.
func TestSessionPacingWithFakeClock(t *testing.T) {
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	clock := newFakeClock()
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	s, err := NewSession(loopback, SessionOptions{Logger: testLogger(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.rtcpEvery = time.Hour
	codec, _ := LookupCodec("opus")
	src := &memSource{samples: tone(100*FrameSamples, SampleRate, 440, 5000)}
	if err := s.Start(SessionParams{Remote: peer.LocalAddr().(*net.UDPAddr).AddrPort(), Codec: codec}, src, nil); err != nil {
		t.Fatal(err)
	}
	// Both loops have created their tickers before time moves.
	<-clock.created
	<-clock.created
	buf := make([]byte, 2048)
	var pkt rtp.Packet
	read := func() rtp.Packet {
		t.Helper()
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := peer.Read(buf)
		if err != nil {
			t.Fatalf("no packet: %v", err)
		}
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		return pkt
	}
	first := read() // sent at Start
	if !first.Marker || first.PayloadType != 111 {
		t.Fatalf("first packet %v", first.Header)
	}
	steps := []time.Duration{20, 20, 20, 60, 20, 100} // ms; 100 ms is 5 frames at once
	frames := 1
	for _, ms := range steps {
		clock.Advance(ms * time.Millisecond)
		for range int(ms / 20) {
			p := read()
			if p.SequenceNumber != first.SequenceNumber+uint16(frames) || p.Timestamp != first.Timestamp+uint32(frames*FrameSamples) {
				t.Fatalf("frame %d: seq %d ts %d (first %d/%d)", frames, p.SequenceNumber, p.Timestamp, first.SequenceNumber, first.Timestamp)
			}
			if p.Marker {
				t.Fatalf("marker on frame %d", frames)
			}
			frames++
		}
	}
	s.Close()
	if src.pos != frames*FrameSamples {
		t.Fatalf("source read %d samples for %d frames", src.pos, frames)
	}
	if st := s.Stats(); st.PacketsSent != uint64(frames) {
		t.Fatalf("sent %d, want %d", st.PacketsSent, frames)
	}
}

// Hold: when A goes inactive B hears silence; resuming brings audio back.
func TestSessionHoldAndResume(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	a, b := newTestSession(t), newTestSession(t)
	sink := newMemSink(0)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec}, nil, sink); err != nil {
		t.Fatal(err)
	}
	pa := SessionParams{Remote: b.LocalAddr(), Codec: codec}
	if err := a.Start(pa, &memSource{samples: tone(30*SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	sink.waitFor(t, SampleRate/2)
	pa.Direction = Inactive
	if err := a.Update(pa); err != nil {
		t.Fatal(err)
	}
	held := len(sink.snapshot())
	sink.waitFor(t, held+SampleRate)
	pa.Direction = SendRecv
	if err := a.Update(pa); err != nil {
		t.Fatal(err)
	}
	resumed := len(sink.snapshot())
	sink.waitFor(t, resumed+SampleRate)
	got := sink.snapshot()
	loud := func(from, to int) bool { return rms(got[from:to]) > 2000 }
	// Allow 200 ms for packets in flight and the jitter buffer on each edge.
	edge := SampleRate / 5
	if !loud(SampleRate/8, held) {
		t.Fatal("no audio before hold")
	}
	if r := rms(got[held+2*edge : resumed]); r > 10 {
		t.Fatalf("audio during hold (rms %.0f)", r)
	}
	if !loud(resumed+2*edge, len(got)) {
		t.Fatal("no audio after resume")
	}
}

// B was told A is at another port of A's IP (a NAT rewrote it); the first
// packets come from A's real port, so B latches and sends there.
func TestSessionLatchesToPeerPort(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	a, b := newTestSession(t), newTestSession(t)
	wrong := netip.AddrPortFrom(loopback, a.LocalAddr().Port()+100)
	sinkA := newMemSink(SampleRate / 2)
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec}, &memSource{samples: tone(10*SampleRate, SampleRate, 440, 8000)}, sinkA); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(SessionParams{Remote: wrong, Codec: codec}, &memSource{samples: tone(10*SampleRate, SampleRate, 660, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sinkA.full, 10*time.Second, "audio from the latched peer")
	if r := rms(sinkA.snapshot()[SampleRate/4:]); r < 2000 {
		t.Fatalf("A hears rms %.0f from B", r)
	}
	b.mu.Lock()
	remote := b.remote
	b.mu.Unlock()
	if remote != a.LocalAddr() {
		t.Fatalf("B sends to %v, want %v", remote, a.LocalAddr())
	}
}

// Packets from any other address are ignored, even well-formed ones:
// a DTMF digit from a stranger never shows up, the peer's does.
func TestSessionIgnoresForeignSources(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	te := DefaultTelephoneEvent()
	a, b := newTestSession(t), newTestSession(t)
	sink := newMemSink(SampleRate / 5)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec, DTMF: &te}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, DTMF: &te}, nil, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sink.full, 10*time.Second, "the stream to flow (B latched to A)")
	dtmf9 := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 1, Timestamp: 1, SSRC: 99, Marker: true}, Payload: []byte{9, 10, 0, 160}}
	wire, _ := dtmf9.Marshal()
	to := net.UDPAddrFromAddrPort(b.LocalAddr())
	for _, ip := range []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(127, 0, 0, 2)} {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.WriteToUDP(wire, to); err != nil {
			t.Fatal(err)
		}
		// Garbage must not crash or confuse the reader either.
		for _, junk := range [][]byte{{}, {0x80}, {0xff, 0xff, 0xff}, make([]byte, 12), {0x80, 0x65, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff}} {
			c.WriteToUDP(junk, to)
		}
		c.Close()
	}
	if err := a.SendDTMF("1"); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-b.DTMF():
		if d != '1' {
			t.Fatalf("got digit %q from a foreign address", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the peer's digit did not arrive")
	}
	b.rxMu.Lock()
	foreign, malformed := b.foreign, b.malformed
	b.rxMu.Unlock()
	if foreign < 2 || malformed < 4 {
		t.Fatalf("foreign %d, malformed %d", foreign, malformed)
	}
}

// With reports every 100 ms, both sides learn the round trip (loopback:
// well under 50 ms) and the peer's view of the loss.
func TestSessionRTCPRoundTrip(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	a, b := newTestSession(t), newTestSession(t)
	a.rtcpEvery, b.rtcpEvery = 100*time.Millisecond, 100*time.Millisecond
	sink := newMemSink(SampleRate)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec}, nil, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sink.full, 10*time.Second, "one second of audio")
	for _, s := range []*Session{a, b} {
		st := s.Stats()
		if st.RTTMs <= 0 || st.RTTMs > 50 {
			t.Fatalf("RTT %.3f ms, stats %+v", st.RTTMs, st)
		}
		if st.MOS < 4.2 {
			t.Fatalf("MOS %.2f on loopback", st.MOS)
		}
	}
}

func TestSessionLifecycleErrors(t *testing.T) {
	codec, _ := LookupCodec("pcmu")
	s := newTestSession(t)
	p := SessionParams{Remote: netip.AddrPortFrom(loopback, 9), Codec: codec}
	if err := s.Update(p); err != ErrNotStarted {
		t.Fatalf("Update before Start: %v", err)
	}
	if err := s.Start(SessionParams{Codec: codec}, nil, nil); err == nil {
		t.Fatal("Start without remote succeeded")
	}
	if err := s.Start(SessionParams{Remote: p.Remote, Codec: Codec{Name: "G729", PayloadType: 18, ClockRate: 8000}}, nil, nil); err == nil {
		t.Fatal("Start with G729 succeeded")
	}
	if err := s.Start(p, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(p, nil, nil); err != ErrAlreadyStarted {
		t.Fatalf("second Start: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Update(p); err != ErrClosed {
		t.Fatalf("Update after Close: %v", err)
	}
}

func TestNewSessionPortRange(t *testing.T) {
	s, err := NewSession(loopback, SessionOptions{PortMin: 41001, PortMax: 41100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if p := s.LocalAddr().Port(); p < 41002 || p > 41098 || p%2 != 0 {
		t.Fatalf("port %d outside the even range", p)
	}
	if _, err := NewSession(loopback, SessionOptions{PortMin: 41101, PortMax: 41101}); err == nil {
		t.Fatal("a range without an even/odd pair succeeded")
	}
}

// A re-INVITE that switches codec (PCMU -> Opus on both sides) keeps the
// audio flowing; mute sends silence without stopping the stream.
func TestSessionCodecSwitchAndMute(t *testing.T) {
	t.Parallel()
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	pcmu, _ := LookupCodec("pcmu")
	opus, _ := LookupCodec("opus")
	a, b := newTestSession(t), newTestSession(t)
	sink := newMemSink(0)
	pb := SessionParams{Remote: a.LocalAddr(), Codec: pcmu}
	pa := SessionParams{Remote: b.LocalAddr(), Codec: pcmu}
	if err := b.Start(pb, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(pa, &memSource{samples: tone(30*SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	sink.waitFor(t, SampleRate/2)
	pa.Codec, pb.Codec = opus, opus
	if err := b.Update(pb); err != nil {
		t.Fatal(err)
	}
	if err := a.Update(pa); err != nil {
		t.Fatal(err)
	}
	switched := len(sink.snapshot())
	sink.waitFor(t, switched+SampleRate/2)
	a.SetMute(true)
	muted := len(sink.snapshot())
	sink.waitFor(t, muted+SampleRate/2)
	sentMuted := a.Stats().PacketsSent
	a.SetMute(false)
	unmuted := len(sink.snapshot())
	sink.waitFor(t, unmuted+SampleRate/2)
	got := sink.snapshot()
	edge := SampleRate / 5
	if r := rms(got[switched+edge : muted]); r < 2000 {
		t.Fatalf("no audio after switching to Opus (rms %.0f)", r)
	}
	if r := rms(got[muted+edge : unmuted]); r > 100 {
		t.Fatalf("audio while muted (rms %.0f)", r)
	}
	if r := rms(got[unmuted+edge:]); r < 2000 {
		t.Fatalf("no audio after unmute (rms %.0f)", r)
	}
	if st := b.Stats(); st.Codec != "opus" {
		t.Fatalf("stats codec %q", st.Codec)
	}
	if sentMuted < 50 {
		t.Fatalf("only %d packets sent; mute must keep the stream going", sentMuted)
	}
}

// Sessions bound to the IPv4 wildcard and to IPv6 loopback carry audio.
func TestSessionAddressFamilies(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	for _, c := range []struct{ bind, reach string }{{"0.0.0.0", "127.0.0.1"}, {"::1", "::1"}} {
		bind, reach := netip.MustParseAddr(c.bind), netip.MustParseAddr(c.reach)
		a, err := NewSession(bind, SessionOptions{Logger: testLogger(t)})
		if err != nil {
			requireOrSkip(t, !bind.Is6(), "IPv6 loopback")
			t.Fatal(err)
		}
		defer a.Close()
		b, err := NewSession(bind, SessionOptions{Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		sink := newMemSink(SampleRate / 2)
		at := netip.AddrPortFrom(reach, a.LocalAddr().Port())
		bt := netip.AddrPortFrom(reach, b.LocalAddr().Port())
		if err := b.Start(SessionParams{Remote: at, Codec: codec}, nil, sink); err != nil {
			t.Fatal(err)
		}
		if err := a.Start(SessionParams{Remote: bt, Codec: codec}, &memSource{samples: tone(5*SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
			t.Fatal(err)
		}
		waitOrFail(t, sink.full, 10*time.Second, "audio via "+c.bind)
		if r := rms(sink.snapshot()[SampleRate/4:]); r < 2000 {
			t.Fatalf("%s: rms %.0f", c.bind, r)
		}
	}
}

// Switching source and sink mid-call: B hears the new source, and the new
// sink receives while the old one stops.
func TestSessionSwitchSourceAndSink(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	a, b := newTestSession(t), newTestSession(t)
	first := newMemSink(0)
	if err := b.Start(SessionParams{Remote: a.LocalAddr(), Codec: codec}, nil, first); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec}, &memSource{samples: tone(20*SampleRate, SampleRate, 440, 8000)}, nil); err != nil {
		t.Fatal(err)
	}
	first.waitFor(t, SampleRate/2)
	if err := a.SetSource(&memSource{samples: tone(20*SampleRate, SampleRate, 1000, 8000)}); err != nil {
		t.Fatal(err)
	}
	second := newMemSink(0)
	if err := b.SetSink(second); err != nil {
		t.Fatal(err)
	}
	stopped := len(first.snapshot())
	second.waitFor(t, SampleRate/2)
	got := second.snapshot()[SampleRate/4:]
	if share := goertzel(got, SampleRate, 1000); share < 0.8 {
		t.Fatalf("new source not heard: 1 kHz share %.2f", share)
	}
	if n := len(first.snapshot()); n != stopped {
		t.Fatalf("old sink still written: %d -> %d samples", stopped, n)
	}
	if err := a.SetSource(nil); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if err := a.SetSource(nil); err != ErrClosed {
		t.Fatalf("SetSource after Close: %v", err)
	}
}
