package media

import (
	"fmt"
	"net/netip"
)

// Update applies a re-INVITE's result: new remote, direction, codec or
// SRTP keys. It is all or nothing: everything new is built first, and an
// error leaves the session as it was. A codec change swaps encoder and
// decoder between two frames; the replaced ones are closed. Any SDP change
// lets the next steady stream re-latch at once (see acceptSource).
func (s *Session) Update(p SessionParams) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if !s.started {
		return ErrNotStarted
	}
	if !p.Remote.IsValid() {
		return fmt.Errorf("media: invalid remote RTP address %v", p.Remote)
	}
	old := s.params
	cur := s.sec.Load()
	sec := cur
	switch {
	case p.SRTP == nil:
		sec = nil
	case cur == nil || !cur.sameKeys(p.SRTP):
		var err error
		if sec, err = newSRTPState(*p.SRTP); err != nil {
			return err
		}
	}
	var enc encoder
	var dec decoder
	if !equalCodec(old.Codec, p.Codec) {
		var err error
		if enc, dec, err = s.newCodecs(p, s.opts.OpusBitrate); err != nil {
			return err
		}
	}
	// Nothing can fail from here on.
	s.sec.Store(sec)
	if enc != nil {
		if s.enc != s.senderEnc {
			s.enc.Close() // never taken by the sender
		}
		s.enc = enc
		s.encGen.Add(1)
		s.rxMu.Lock()
		s.dec.Close()
		s.dec = dec
		s.jb.reset()
		s.rxMu.Unlock()
	}
	if unmapAddrPort(p.Remote) != unmapAddrPort(old.Remote) {
		s.remote = unmapAddrPort(p.Remote)
		s.remoteRTCP = netip.AddrPort{}
	}
	s.latch.reset()
	s.params = p
	s.log.Info("media updated", "remote", p.Remote, "codec", p.Codec.String(), "direction", p.Direction, "srtp", srtpDesc(p.SRTP))
	return nil
}

func equalCodec(a, b Codec) bool {
	return a.Name == b.Name && a.PayloadType == b.PayloadType && a.ClockRate == b.ClockRate
}
