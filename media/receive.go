package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// packetReader is the receiving half of a UDP socket; tests inject one
// that fails.
type packetReader interface {
	ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error)
}

// Reading a socket that keeps failing (not closed: e.g. an ICMP error
// surfacing, or a broken interface) must neither spin a core nor end the
// call on one transient error: the reader waits readBackoffMin after an
// error, doubling up to readBackoffMax, and gives up, reporting the error,
// once the socket has failed without a single good read for readGiveUp.
const (
	readBackoffMin = 5 * time.Millisecond
	readBackoffMax = time.Second
	readGiveUp     = 10 * time.Second
)

// readPackets calls handle for each datagram read from conn until the
// socket is closed, the session stops, or the socket keeps failing (the
// error is then kept for Stats and Err).
func (s *Session) readPackets(conn packetReader, what string, buf []byte, handle func(b []byte, from netip.AddrPort)) {
	var failingSince time.Time
	backoff := readBackoffMin
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err == nil {
			failingSince, backoff = time.Time{}, readBackoffMin
			handle(buf[:n], unmapAddrPort(from))
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		now := s.clock.Now()
		if failingSince.IsZero() {
			failingSince = now
			s.log.Warn(what+" socket error; retrying", "err", err)
		}
		if now.Sub(failingSince) >= readGiveUp {
			err = fmt.Errorf("media: receiving %s failed for %v, stopped: %w", what, now.Sub(failingSince).Round(time.Second), err)
			s.log.Error("no more audio can be received on this call", "err", err)
			s.readErr.CompareAndSwap(nil, &err)
			return
		}
		if !s.wait(backoff) {
			return
		}
		backoff = min(2*backoff, readBackoffMax)
	}
}

// wait blocks for d on the session clock; false when the session stops.
func (s *Session) wait(d time.Duration) bool {
	t := s.clock.NewTicker(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-s.stop:
		return false
	}
}

// readRTP receives RTP until the socket is closed; acceptSource decides
// which sources are heard.
func (s *Session) readRTP() {
	var buf, plain [2048]byte
	var pkt rtp.Packet
	s.readPackets(s.rtpIn, "RTP", buf[:], func(b []byte, from netip.AddrPort) {
		now := s.clock.Now()
		if sec := s.sec.Load(); sec != nil {
			var err error
			if b, err = sec.unprotectRTP(plain[:0], b); err != nil {
				s.unauthenticated.Add(1)
				return
			}
		}
		if err := pkt.Unmarshal(b); err != nil || pkt.Version != 2 {
			s.rxMu.Lock()
			s.malformed++
			s.rxMu.Unlock()
			return
		}
		s.handleRTP(&pkt, from, now)
	})
}

// handleRTP sorts one parsed packet: audio to the jitter buffer, events to
// the DTMF channel, everything else dropped.
func (s *Session) handleRTP(pkt *rtp.Packet, from netip.AddrPort, now time.Time) {
	s.mu.Lock()
	alias := s.params.PTAlias // never modified: Update replaces the params
	pt := resolvePT(alias, pkt.PayloadType)
	ok := s.acceptSource(from, pkt.SSRC, pkt.SequenceNumber, pt, now)
	audioPT := s.params.Codec.PayloadType
	clockRate := s.params.Codec.ClockRate
	dtmfPT, haveDTMF := uint8(0), s.params.DTMF != nil
	if haveDTMF {
		dtmfPT = s.params.DTMF.PayloadType
	}
	redPT, haveRED := uint8(0), s.params.RED != nil
	if haveRED {
		redPT = s.params.RED.PayloadType
	}
	s.mu.Unlock()

	s.rxMu.Lock()
	defer s.rxMu.Unlock()
	switch {
	case !ok:
		s.foreign++
	case pt == audioPT:
		s.rx.update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, true, now, clockRate)
		s.jb.Push(pkt.SequenceNumber, pkt.SSRC, pkt.Payload, false, now)
		s.jb.SetJitter(s.rx.jitterDuration())
	case haveRED && pt == redPT:
		s.handleRED(pkt, alias, audioPT, clockRate, now)
	case haveDTMF && pt == dtmfPT:
		s.rx.update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, false, now, clockRate)
		s.jb.Push(pkt.SequenceNumber, pkt.SSRC, nil, true, now)
		if r, ok := s.dtmfRx.receive(pkt.SSRC, pkt.Timestamp, pkt.Payload); ok {
			select {
			case s.dtmfOut <- r:
			default:
				s.log.Warn("received DTMF digit dropped: nobody reads Session.DTMF()", "digit", string(r))
			}
		}
	default:
		s.wrongPT++
	}
}

// handleRED unpacks an RFC 2198 packet: the primary block is the packet's
// own frame, each redundant one an earlier frame, pushed at the sequence
// number its timestamp offset gives (one frame per packet); the jitter
// buffer keeps whichever copy comes first. s.rxMu must be held.
func (s *Session) handleRED(pkt *rtp.Packet, alias map[uint8]uint8, audioPT uint8, clockRate uint32, now time.Time) {
	blocks, err := parseRED(pkt.Payload, s.redBlocks[:])
	if err != nil || len(blocks) == 0 {
		s.malformed++
		return
	}
	perFrame := clockRate / uint32(time.Second/FrameDuration)
	for _, b := range blocks[:len(blocks)-1] {
		if resolvePT(alias, b.pt) != audioPT || perFrame == 0 || b.offset == 0 || b.offset%perFrame != 0 {
			continue
		}
		s.jb.SetRedundancy(int(b.offset/perFrame), now)
		s.jb.PushRedundant(pkt.SequenceNumber-uint16(b.offset/perFrame), pkt.SSRC, b.data, now)
	}
	primary := blocks[len(blocks)-1]
	if resolvePT(alias, primary.pt) != audioPT {
		s.wrongPT++
		return
	}
	s.rx.update(pkt.SSRC, pkt.SequenceNumber, pkt.Timestamp, true, now, clockRate)
	s.jb.Push(pkt.SequenceNumber, pkt.SSRC, primary.data, false, now)
	s.jb.SetJitter(s.rx.jitterDuration())
}

// resolvePT is the negotiated payload type pt stands for (SessionParams.PTAlias).
func resolvePT(alias map[uint8]uint8, pt uint8) uint8 {
	if a, ok := alias[pt]; ok {
		return a
	}
	return pt
}

// readRTCP receives the peer's reports: RTT from our SR's echo, the loss
// they see (fed to the Opus encoder), and their SR time for our reports.
func (s *Session) readRTCP() {
	var buf, plain [1500]byte
	s.readPackets(s.rtcpIn, "RTCP", buf[:], func(b []byte, from netip.AddrPort) {
		if sec := s.sec.Load(); sec != nil {
			var err error
			if b, err = sec.unprotectRTCP(plain[:0], b); err != nil {
				s.unauthenticated.Add(1)
				return
			}
		}
		pkts, err := rtcp.Unmarshal(b)
		if err != nil {
			return
		}
		s.mu.Lock()
		ok := from.Addr() == s.remote.Addr()
		if ok {
			s.remoteRTCP = from // symmetric RTCP, as for RTP
		}
		s.mu.Unlock()
		if !ok {
			return
		}
		s.handleRTCP(pkts, s.clock.Now())
	})
}

// handleRTCP uses the peer's reports.
func (s *Session) handleRTCP(pkts []rtcp.Packet, now time.Time) {
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			s.rxMu.Lock()
			s.rx.lsr, s.rx.lsrTime = ntpMiddle(p.NTPTime), now
			s.rxMu.Unlock()
			s.useReports(p.Reports, now)
		case *rtcp.ReceiverReport:
			s.useReports(p.Reports, now)
		case *rtcp.ExtendedReport:
			for _, b := range p.Reports {
				if rle, ok := b.(*rtcp.LossRLEReportBlock); ok && rle.SSRC == s.ssrc {
					lost, runs := lossRuns(rle)
					s.adapt.onLossRuns(lost, runs, now)
				}
			}
		}
	}
}

func (s *Session) useReports(reports []rtcp.ReceptionReport, now time.Time) {
	for _, rr := range reports {
		if rr.SSRC != s.ssrc {
			continue
		}
		s.statsMu.Lock()
		sent, dups := s.sent, s.dups
		s.statsMu.Unlock()
		s.adapt.onReport(rr, sent, dups, now)
		if rtt, ok := rttFromReport(rr, now); ok {
			s.statsMu.Lock()
			s.rtt = rtt
			s.statsMu.Unlock()
		}
	}
}

// playout decodes from the jitter buffer into the sink. A sink that pulls
// (a Player: a device whose callback asks for each frame) reads the jitter
// buffer itself; a real-time sink that does not sets the pace by blocking
// in Write; anything else is written every 20 ms of the session clock.
func (s *Session) playout(sink Sink) {
	p := &player{s: s}
	for {
		var req swapRequest
		var ok bool
		if pl, pulls := sink.(Player); pulls && s.startPull(pl, p) {
			req, ok = s.waitSwap(sink)
			sampleUnderruns(sink, &s.lat.underruns)
			// Once Play returns the device no longer reads p.
			_ = pl.Play(nil)
		} else {
			req, ok = s.pushUntilSwap(sink, p)
		}
		if !ok {
			return
		}
		sink = req.sink
		close(req.done)
	}
}

// startPull hands the device the session's playout as its source.
func (s *Session) startPull(pl Player, p *player) bool {
	if err := pl.Play(&pullSource{p: p, clock: s.clock}); err != nil {
		s.log.Warn("audio output does not pull; writing to it instead", "sink", describe(pl), "err", err)
		return false
	}
	return true
}

// waitSwap waits, while a device pulls, for the session to stop (false)
// or a swap request, sampling the device's latency now and then.
func (s *Session) waitSwap(sink Sink) (swapRequest, bool) {
	t := s.clock.NewTicker(latencySampleEvery * FrameDuration)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return swapRequest{}, false
		case req := <-s.sinkSwap:
			return req, true
		case <-t.C():
			sampleLatency(sink, &s.lat.playout)
			sampleUnderruns(sink, &s.lat.underruns)
		}
	}
}

// pullSource is what a pulling device reads: each Read is one frame of
// playout, produced when the device asks for it.
type pullSource struct {
	p     *player
	clock Clock
}

func (ps *pullSource) Read(frame []int16) error {
	ps.p.produce(ps.clock.Now())
	copy(frame, ps.p.out[:])
	return nil
}

func (ps *pullSource) String() string { return "Playout" }

// pushUntilSwap writes playout into sink until the session stops (false)
// or a swap is asked for (returned, not yet done).
func (s *Session) pushUntilSwap(sink Sink, p *player) (swapRequest, bool) {
	realTime := isRealTime(sink)
	ticker := s.clock.NewTicker(FrameDuration)
	defer ticker.Stop()
	start := s.clock.Now()
	var frames int64
	var guard rtGuard
	guard.reset(start)
	for {
		if realTime {
			select {
			case <-s.stop:
				return swapRequest{}, false
			case req := <-s.sinkSwap:
				return req, true
			default:
			}
			now := s.clock.Now()
			p.produce(now)
			if frames++; frames%latencySampleEvery == latencySampleEvery/4 {
				sampleLatency(sink, &s.lat.playout)
				sampleUnderruns(sink, &s.lat.underruns)
			}
			err := sink.Write(p.out[:])
			if err != nil {
				// A failed device no longer blocks: go on at our own
				// pace so the loop does not spin.
				p.sinkFailed(err)
				realTime, start, frames = false, s.clock.Now(), 0
			} else if guard.ahead(now) {
				s.log.Warn("audio output takes frames faster than real time; pacing playout ourselves", "sink", describe(sink))
				realTime, start, frames = false, s.clock.Now(), 0
			}
			continue
		}
		select {
		case <-s.stop:
			return swapRequest{}, false
		case req := <-s.sinkSwap:
			return req, true
		case <-ticker.C():
		}
		now := s.clock.Now()
		due := int64(now.Sub(start)/FrameDuration) - frames
		if due > maxCatchUp {
			frames += due - maxCatchUp
			due = maxCatchUp
		}
		for ; due > 0; due-- {
			p.produce(now)
			if err := sink.Write(p.out[:]); err != nil {
				p.sinkFailed(err)
			}
			frames++
		}
	}
}

// player holds the decode buffers of the playout goroutine.
type player struct {
	s        *Session
	cur, nxt [maxPayloadSize]byte
	pcm      [maxDecodedSamples + FrameSamples]int16
	have     int // decoded samples waiting in pcm
	out      [FrameSamples]int16
	sinkErr  bool
	fec      uint64
	conceal  uint64
	cn       concealer
}

func (p *player) sinkFailed(err error) {
	if !p.sinkErr {
		p.sinkErr = true
		p.s.log.Warn("audio output failed; received audio is dropped", "err", err)
	}
}

// concealFrame fills one frame with the decoder's PLC, faded towards
// comfort noise over a burst.
func (p *player) concealFrame(dec decoder, room []int16) {
	_ = dec.Conceal(room[:FrameSamples])
	p.cn.concealed(room[:FrameSamples])
	p.conceal++
}

// produce fills p.out with the next 20 ms: decoded packets, FEC or PLC for
// lost ones, silence when nothing is coming.
func (p *player) produce(now time.Time) {
	s := p.s
	s.mu.Lock()
	receives := s.params.Direction.Receives()
	s.mu.Unlock()
	fec0, conceal0 := p.fec, p.conceal
	for tries := 0; p.have < FrameSamples && tries < 8; tries++ {
		s.rxMu.Lock()
		kind, cn, nn := s.jb.Pop(now, p.cur[:], p.nxt[:])
		dec := s.dec
		room := p.pcm[p.have:]
		switch kind {
		case popPacket:
			n, err := dec.Decode(p.cur[:cn], room[:maxDecodedSamples])
			if err != nil || n <= 0 {
				p.concealFrame(dec, room)
				n = FrameSamples
			} else {
				p.cn.good(room[:n])
			}
			p.have += n
		case popLost:
			ok := false
			if nn > 0 {
				if ok2, err := dec.DecodeFEC(p.nxt[:nn], room[:FrameSamples]); ok2 && err == nil {
					ok = true
					p.fec++
					p.cn.good(room[:FrameSamples])
				}
			}
			if !ok {
				p.concealFrame(dec, room)
			}
			p.have += FrameSamples
		case popUnderrun:
			p.concealFrame(dec, room)
			p.have += FrameSamples
		default:
			clear(room[:FrameSamples])
			p.have += FrameSamples
		}
		s.rxMu.Unlock()
	}
	copy(p.out[:], p.pcm[:FrameSamples])
	p.have = copy(p.pcm[:], p.pcm[FrameSamples:p.have])
	if !receives {
		clear(p.out[:])
	}
	quiet := p.cn.quiet(p.out[:])
	s.rxMu.Lock()
	s.jb.SetQuiet(quiet)
	s.rxMu.Unlock()
	if p.fec != fec0 || p.conceal != conceal0 {
		s.statsMu.Lock()
		s.fec, s.concealed = p.fec, p.conceal
		s.statsMu.Unlock()
	}
}
