package media

import (
	"net/netip"
	"time"
)

// Source latching (symmetric RTP with strict-RTP style protection).
//
// RTP is accepted only from the latched source. Before anything arrived,
// the first packet from the negotiated IP latches at once (a NAT may have
// changed the port). Any other source, a new port, a new address or a new
// SSRC after a PBX re-anchored the media, a NAT rebinding or a media
// server failover, must first prove itself, as rtpengine and Asterisk's
// strict RTP do: relatchPackets consecutive in-sequence packets of the
// negotiated audio payload type (or its RED) from one address and SSRC, while the
// latched source is silent. A packet from the latched source breaks the
// candidate's run, so an injector cannot take over a live stream by
// interleaving packets, and a burst squeezed between two of the peer's
// packets is refused because the peer was not quiet for relatchQuiet.
const (
	relatchPackets = 5                 // 100 ms of 20 ms packets
	relatchQuiet   = 3 * FrameDuration // the latched source must have been silent this long
)

// latch is the source filter; guarded by Session.mu.
type latch struct {
	latched   bool
	lastHeard time.Time // last packet from the latched source

	cand      netip.AddrPort // candidate source on probation
	candSSRC  uint32
	candSeq   uint16
	candCount int

	relatches uint64 // switches to a new source during the call
}

// reset forgets the latched source's activity and any candidate (an SDP
// change: the next steady stream is believed without waiting).
func (l *latch) reset() {
	l.latched = false
	l.lastHeard = time.Time{}
	l.candCount = 0
}

// acceptSource applies the source check to a packet with payload type pt
// from from; audioPT is the negotiated audio payload type. s.mu must be
// held.
func (s *Session) acceptSource(from netip.AddrPort, ssrc uint32, seq uint16, pt uint8, now time.Time) bool {
	l := &s.latch
	if from == s.remote {
		if !l.latched {
			l.latched = true
		}
		l.lastHeard = now
		l.candCount = 0
		return true
	}
	if !l.latched && from.Addr() == s.remote.Addr() {
		s.log.Info("RTP latched to the peer's real port", "negotiated", s.remote, "actual", from)
		s.remote, l.latched, l.lastHeard, l.candCount = from, true, now, 0
		s.remoteRTCP = netip.AddrPort{}
		return true
	}
	if pt != s.params.Codec.PayloadType && (s.params.RED == nil || pt != s.params.RED.PayloadType) {
		return false
	}
	if l.candCount > 0 && from == l.cand && ssrc == l.candSSRC && seq == l.candSeq+1 {
		l.candCount++
	} else {
		l.cand, l.candSSRC, l.candCount = from, ssrc, 1
	}
	l.candSeq = seq
	quiet := l.lastHeard.IsZero() || now.Sub(l.lastHeard) >= relatchQuiet
	if l.candCount < relatchPackets || !quiet {
		return false
	}
	s.log.Info("RTP source changed: following the new stream", "from", s.remote, "to", from, "ssrc", ssrc)
	s.remote, l.latched, l.lastHeard, l.candCount = from, true, now, 0
	s.remoteRTCP = netip.AddrPort{}
	l.relatches++
	return true
}
