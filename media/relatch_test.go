package media

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// rtpStreamer sends a PCMU tone as RTP from its own UDP socket, one packet
// per call to send.
type rtpStreamer struct {
	t    *testing.T
	conn *net.UDPConn
	enc  encoder
	pkt  rtp.Packet
	tone []int16
	pos  int
}

func newRTPStreamer(t *testing.T, ssrc uint32, seq uint16, hz float64) *rtpStreamer {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	st := &rtpStreamer{t: t, conn: c, enc: newG711Encoder(true), tone: tone(SampleRate, SampleRate, hz, 8000)}
	st.pkt.Header = rtp.Header{Version: 2, PayloadType: 0, SSRC: ssrc, SequenceNumber: seq, Timestamp: uint32(seq) * 160}
	return st
}

func (st *rtpStreamer) addr() netip.AddrPort { return addrOf(st.conn) }

func (st *rtpStreamer) send(to netip.AddrPort) {
	st.t.Helper()
	var payload [160]byte
	frame := st.tone[st.pos : st.pos+FrameSamples]
	st.pos = (st.pos + FrameSamples) % (len(st.tone) - FrameSamples)
	n, err := st.enc.Encode(frame, payload[:])
	if err != nil {
		st.t.Fatal(err)
	}
	st.pkt.Payload = payload[:n]
	b, err := st.pkt.Marshal()
	if err != nil {
		st.t.Fatal(err)
	}
	if _, err := st.conn.WriteToUDPAddrPort(b, to); err != nil {
		st.t.Fatal(err)
	}
	st.pkt.SequenceNumber++
	st.pkt.Timestamp += 160
}

// The peer's media moves mid-call to a new port with a new SSRC (a PBX
// re-anchoring it, a NAT rebinding): B follows the new stream, hears it,
// sends its own audio there, and counts one re-latch. Before, everything
// from the new port was dropped as foreign and the call went silent.
func TestSessionRelatchesWhenPeerSourceChanges(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	b := newTestSession(t)
	sink := newMemSink(0)
	first := newRTPStreamer(t, 0x1111, 100, 440)
	second := newRTPStreamer(t, 0x2222, 40000, 1320)
	if err := b.Start(SessionParams{Remote: first.addr(), Codec: codec}, &memSource{samples: tone(60*SampleRate, SampleRate, 880, 8000)}, sink); err != nil {
		t.Fatal(err)
	}
	ticker := time.NewTicker(FrameDuration)
	defer ticker.Stop()
	for range 25 {
		<-ticker.C
		first.send(b.LocalAddr())
	}
	sink.waitFor(t, SampleRate/4)
	if got := b.Stats().Relatches; got != 0 {
		t.Fatalf("re-latched %d times on a steady stream", got)
	}
	// The media moves: the old port falls silent, the new one streams.
	// B's packets reaching the new port prove it follows.
	arrived := make(chan struct{})
	go func() {
		defer close(arrived)
		buf := make([]byte, 1500)
		second.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := second.conn.Read(buf); err != nil {
			t.Errorf("B never sent to the new source: %v", err)
		}
	}()
	moved := len(sink.snapshot())
	for sent := 0; ; sent++ {
		select {
		case <-arrived:
		case <-ticker.C:
			if sent > 250 {
				t.Fatal("B did not follow the new source within 5 s")
			}
			second.send(b.LocalAddr())
			continue
		}
		break
	}
	// Stream on (1.5 s after the move in all), then look at what B played
	// from 0.5 s to 1 s after the move.
	for range 75 {
		<-ticker.C
		second.send(b.LocalAddr())
	}
	sink.waitFor(t, moved+SampleRate)
	part := sink.snapshot()[moved+SampleRate/2 : moved+SampleRate]
	// Frame by frame: a frame concealed or trimmed on a loaded machine
	// breaks the phase, not the tone.
	var p float64
	for i := 0; i+FrameSamples <= len(part); i += FrameSamples {
		p += goertzel(part[i:i+FrameSamples], SampleRate, 1320) / float64(len(part)/FrameSamples)
	}
	if p < 0.5 {
		t.Fatalf("B does not play the new source (1320 Hz share %.2f, rms %.0f)", p, rms(part))
	}
	st := b.Stats()
	if st.Relatches != 1 {
		t.Fatalf("relatches %d, want 1", st.Relatches)
	}
	if st.PacketsReceived < 25+relatchPackets {
		t.Fatalf("packets received %d: the first source's count was lost", st.PacketsReceived)
	}
}

// rxAt feeds one RTP packet to handleRTP as if it arrived at at.
func rxAt(s *Session, from netip.AddrPort, ssrc uint32, seq uint16, pt uint8, at time.Time) {
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SSRC: ssrc, SequenceNumber: seq, Timestamp: uint32(seq) * 160}, Payload: make([]byte, 160)}
	s.handleRTP(&pkt, from, at)
}

func (s *Session) remoteNow() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remote
}

// Anti-injection stays: a stranger cannot take over a live stream by
// interleaving packets, by a burst between two of the peer's packets, with
// a payload type other than the negotiated one, or out of sequence. Once
// the peer falls silent, a steady stream from a new source is followed.
func TestSessionRelatchKeepsInjectionOut(t *testing.T) {
	s := newTestSession(t)
	codec, _ := LookupCodec("pcmu")
	peer := netip.MustParseAddrPort("127.0.0.1:40000")
	evil := netip.MustParseAddrPort("127.0.0.2:40002")
	s.params = SessionParams{Remote: peer, Codec: codec}
	s.remote = peer
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	foreign := func() uint64 {
		s.rxMu.Lock()
		defer s.rxMu.Unlock()
		return s.foreign
	}
	ms := 0
	peerSeq := uint16(1)
	peerTick := func() { rxAt(s, peer, 1, peerSeq, 0, at(ms)); peerSeq++; ms += 20 }
	peerTick()

	// Interleaved: 20 in-sequence packets, one between each of the peer's.
	for i := range 20 {
		rxAt(s, evil, 9, uint16(500+i), 0, at(ms-10))
		peerTick()
	}
	// A burst of 10 between two of the peer's packets.
	for i := range 10 {
		rxAt(s, evil, 9, uint16(600+i), 0, at(ms-19+i))
	}
	peerTick()
	if s.remoteNow() != peer || foreign() != 30 {
		t.Fatalf("after injection attempts: remote %v, foreign %d (want %v, 30)", s.remoteNow(), foreign(), peer)
	}
	// The peer goes quiet; a stream of the wrong payload type, then one
	// out of sequence, is still refused.
	ms += 200
	for i := range 10 {
		rxAt(s, evil, 9, uint16(700+i), 13, at(ms+20*i)) // comfort noise
	}
	ms += 200
	for i := range 10 {
		rxAt(s, evil, 9, uint16(800+2*i), 0, at(ms+20*i)) // every other sequence number
	}
	ms += 200
	if s.remoteNow() != peer || s.Stats().Relatches != 0 {
		t.Fatalf("remote %v after wrong-PT / out-of-sequence streams", s.remoteNow())
	}
	// A steady stream of the negotiated type: followed on its fifth packet.
	newSrc := netip.MustParseAddrPort("127.0.0.3:50000")
	for i := range relatchPackets - 1 {
		rxAt(s, newSrc, 7, uint16(900+i), 0, at(ms+20*i))
	}
	if s.remoteNow() != peer {
		t.Fatal("followed a new source before its probation ended")
	}
	rxAt(s, newSrc, 7, uint16(900+relatchPackets-1), 0, at(ms+20*relatchPackets))
	if s.remoteNow() != newSrc || s.Stats().Relatches != 1 {
		t.Fatalf("remote %v, relatches %d after a steady new stream", s.remoteNow(), s.Stats().Relatches)
	}
	// The old source is now the stranger.
	before := foreign()
	rxAt(s, peer, 1, peerSeq, 0, at(ms+200))
	if foreign() != before+1 {
		t.Fatal("the old source is still heard after the switch")
	}
}

// failingConn returns err on every read and reports each call.
type failingConn struct {
	err   error
	calls chan struct{}
}

func (f *failingConn) ReadFromUDPAddrPort([]byte) (int, netip.AddrPort, error) {
	f.calls <- struct{}{}
	return 0, netip.AddrPort{}, f.err
}

// A socket that keeps failing no longer spins the reader: after each error
// it waits on the clock (doubling the wait), and after readGiveUp without
// a good read it stops and reports the error.
func TestReadRTPBacksOffAndGivesUp(t *testing.T) {
	clock := newFakeClock()
	s, err := NewSession(loopback, SessionOptions{Logger: testLogger(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sockErr := &net.OpError{Op: "read", Net: "udp", Err: syscall.ECONNREFUSED}
	conn := &failingConn{err: sockErr, calls: make(chan struct{})}
	s.rtpIn = conn
	done := make(chan struct{})
	go func() { defer close(done); s.readRTP() }()
	var waited time.Duration
	wait := readBackoffMin
	reads := 0
	for {
		<-conn.calls
		reads++
		select {
		case <-clock.created: // the reader waits on the clock before reading again
		case <-done:
			if waited < readGiveUp {
				t.Fatalf("gave up after %v, before %v", waited, readGiveUp)
			}
			if reads > 30 {
				t.Fatalf("%d reads in %v of failures", reads, waited)
			}
			if err := s.Err(); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
				t.Fatalf("Err() = %v", err)
			}
			if st := s.Stats(); st.ReceiveError == "" {
				t.Fatal("Stats has no receive error")
			}
			return
		}
		clock.Advance(wait)
		waited += wait
		wait = min(2*wait, readBackoffMax)
	}
}

// closeCounter tracks codec closes.
type closeCounter struct {
	mu     sync.Mutex
	made   int
	closed map[any]int
}

type trackedEncoder struct {
	encoder
	c *closeCounter
}

func (e *trackedEncoder) Close() { e.c.close(e); e.encoder.Close() }

type trackedDecoder struct {
	decoder
	c *closeCounter
}

func (d *trackedDecoder) Close() { d.c.close(d); d.decoder.Close() }

func (c *closeCounter) close(v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed[v]++
}

func (c *closeCounter) factory(p SessionParams, bitrate int) (encoder, decoder, error) {
	enc, dec, err := newCodecPair(p, bitrate)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	c.made += 2
	c.mu.Unlock()
	return &trackedEncoder{enc, c}, &trackedDecoder{dec, c}, nil
}

// Every encoder and decoder a codec change replaces is closed exactly
// once, also when two re-INVITEs come between two frames (the sender
// never took the middle encoder) and at Close. Before, replaced encoders
// were never closed.
func TestSessionUpdateClosesReplacedCodecs(t *testing.T) {
	pcmu, _ := LookupCodec("pcmu")
	pcma, _ := LookupCodec("pcma")
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	clock := newFakeClock()
	s, err := NewSession(loopback, SessionOptions{Logger: testLogger(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	cc := &closeCounter{closed: map[any]int{}}
	s.newCodecs = cc.factory
	p := SessionParams{Remote: addrOf(peer), Codec: pcmu}
	if err := s.Start(p, nil, nil); err != nil {
		t.Fatal(err)
	}
	<-clock.created
	<-clock.created
	buf := make([]byte, 1500)
	readOne := func() {
		t.Helper()
		peer.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := peer.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	readOne() // the sender runs with the first encoder
	for i, c := range []Codec{pcma, pcmu, pcma} {
		p.Codec = c
		if err := s.Update(p); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			clock.Advance(FrameDuration) // the sender takes this one
			readOne()
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.made != 8 || len(cc.closed) != 8 {
		t.Fatalf("made %d codecs, closed %d", cc.made, len(cc.closed))
	}
	for v, n := range cc.closed {
		if n != 1 {
			t.Fatalf("%T closed %d times", v, n)
		}
	}
}

// An Update that fails (unknown codec, bad keys) changes nothing: not the
// SRTP keys, not the codec, not the remote. Before, the keys were swapped
// before the codec change failed, so the call went deaf.
func TestSessionUpdateIsAllOrNothing(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	const suite = "AES_CM_128_HMAC_SHA1_80"
	ka, kb := srtpPair(t, suite)
	a, b := newTestSession(t), newTestSession(t)
	pb := SessionParams{Remote: a.LocalAddr(), Codec: codec, SRTP: kb}
	if err := b.Start(pb, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: b.LocalAddr(), Codec: codec, SRTP: ka}, nil, nil); err != nil {
		t.Fatal(err)
	}
	sec := b.sec.Load()
	_, nb := srtpPair(t, suite)
	elsewhere := netip.MustParseAddrPort("127.0.0.1:9")
	bad := []SessionParams{
		{Remote: elsewhere, Codec: Codec{Name: "G729", PayloadType: 18, ClockRate: 8000}, SRTP: nb},
		{Remote: elsewhere, Codec: Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}, SRTP: &SRTP{Suite: suite, Local: []byte{1}, Remote: []byte{2}}},
	}
	for _, p := range bad {
		if err := b.Update(p); err == nil {
			t.Fatalf("Update(%v) succeeded", p.Codec)
		}
		if b.sec.Load() != sec {
			t.Fatalf("a failed Update(%v) replaced the SRTP keys", p.Codec)
		}
		b.mu.Lock()
		params, remote := b.params, b.remote
		b.mu.Unlock()
		if !equalCodec(params.Codec, codec) || remote != a.LocalAddr() {
			t.Fatalf("a failed Update changed codec %v / remote %v", params.Codec, remote)
		}
	}
}
