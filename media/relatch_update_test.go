package media

import (
	"net/netip"
	"testing"
	"time"
)

// An SDP change (re-INVITE, UPDATE) resets the latch: the stream that
// follows it is believed at once, with no wait for the old source to fall
// silent, as after a PBX re-anchors media. Without an SDP change the same
// stream is refused while the peer still sends.
func TestSessionRelatchesAtOnceAfterAnSDPChange(t *testing.T) {
	codec, _ := LookupCodec("pcmu")
	peer := netip.MustParseAddrPort("127.0.0.1:40000")
	anchor := netip.MustParseAddrPort("127.0.0.4:50002") // what the new SDP names
	media := netip.MustParseAddrPort("127.0.0.3:50000")  // where its media comes from (NAT)
	s := newTestSession(t)
	if err := s.Start(SessionParams{Remote: peer, Codec: codec}, nil, nil); err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	for i := range 10 {
		rxAt(s, peer, 1, uint16(i), 0, at(20*i))
	}
	// A steady stream from elsewhere while the peer still talks: refused.
	for i := range 2 * relatchPackets {
		rxAt(s, media, 7, uint16(100+i), 0, at(200+10*i))
		if i%2 == 0 {
			rxAt(s, peer, 1, uint16(10+i/2), 0, at(200+10*i))
		}
	}
	if s.remoteNow() != peer {
		t.Fatalf("followed %v while the peer was still sending", s.remoteNow())
	}
	// The peer's last packet, then the re-INVITE moves the media: the new
	// stream, 10 ms later, is followed on its fifth packet, although the
	// old source spoke less than relatchQuiet ago.
	rxAt(s, peer, 1, 30, 0, at(300))
	if err := s.Update(SessionParams{Remote: anchor, Codec: codec}); err != nil {
		t.Fatal(err)
	}
	last := 300
	for i := range relatchPackets {
		last = 310 + 10*i
		rxAt(s, media, 7, uint16(200+i), 0, at(last))
	}
	if time.Duration(last-300)*time.Millisecond >= relatchQuiet {
		t.Fatal("the test must end within relatchQuiet of the old source's last packet")
	}
	if s.remoteNow() != media {
		t.Fatalf("remote %v %d ms after the SDP change, want the new stream %v", s.remoteNow(), last-300, media)
	}
	if got := s.Stats().Relatches; got != 1 {
		t.Fatalf("relatches %d, want 1", got)
	}
}
