package media

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"net/netip"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

// maxCatchUp bounds how many frames the sender sends at once after the
// process was descheduled; older frames are skipped, not burst out.
const maxCatchUp = 5

const rtcpInterval = 5 * time.Second

// sender is the state of the send goroutine.
type sender struct {
	s       *Session
	src     Source
	ring    *captureRing // for real-time sources
	enc     encoder
	encGen  uint64
	pkt     rtp.Packet
	frame   [FrameSamples]int16
	payload [maxPayloadSize]byte
	wire    [maxPayloadSize + 64]byte
	ts      uint32
	eof     bool
	sending bool // previous frame went out (for the marker bit)
	dtmf    dtmfSender
	readErr bool
	plan    sendPlan
	// sentRing keeps the last packets as they went on the wire, for
	// time-diverse duplication; encRing the last encoded frames, for RED.
	sentRing [dupRingSize]sentPacket
	encRing  [dupRingSize]encodedFrame
	redBuf   [maxPayloadSize]byte
	noDup    bool // this frame carries its redundancy as RED
}

type encodedFrame struct {
	seq   uint16
	ts    uint32
	valid bool
	n     int
	data  [maxPayloadSize]byte
}

// dupRingSize bounds how far back a duplicate can reach (> maxDupDelay).
const dupRingSize = 8

type sentPacket struct {
	seq   uint16
	valid bool
	n     int
	wire  [maxPayloadSize + 64]byte
}

func randUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

func (s *Session) sendLoop(src Source) {
	sd := &sender{s: s, src: src, ts: randUint32()}
	sd.pkt.Version = 2
	sd.pkt.SSRC = s.ssrc
	sd.pkt.SequenceNumber = uint16(randUint32())
	sd.useSource(src)
	s.mu.Lock()
	sd.enc = s.enc
	s.senderEnc = sd.enc
	s.mu.Unlock()
	defer func() {
		// An encoder this goroutine took is its to close, unless Close
		// will close it as the session's current one.
		s.mu.Lock()
		if sd.enc != s.enc {
			sd.enc.Close()
		}
		s.senderEnc = nil
		s.mu.Unlock()
	}()

	ticker := s.clock.NewTicker(FrameDuration)
	defer ticker.Stop()
	start := s.clock.Now()
	began := start
	nextRTCP := start.Add(rtcpJitter(min(s.rtcpEvery, fastRTCPInterval) / 2))
	var frames int64
	lastSent := start
	for {
		now := s.clock.Now()
		if sd.ring == nil {
			// A file or generator: our clock sets the pace.
			due := int64(now.Sub(start)/FrameDuration) + 1 - frames
			if due > maxCatchUp {
				skip := due - maxCatchUp
				frames += skip
				sd.ts += uint32(skip) * sd.enc.RTPSamples()
				due = maxCatchUp
			}
			for ; due > 0; due-- {
				sd.sendFrame(now)
				frames++
			}
		} else {
			// A device: send what it captured; if it stalls, keep the
			// stream (and NAT bindings) alive with silence.
			for sd.ring.len() > 0 {
				sd.sendFrame(now)
				lastSent = now
			}
			if now.Sub(lastSent) >= deviceStall {
				// Stalled (or still opening): one silence frame per tick
				// until the device delivers again.
				sd.sendFrame(now)
				lastSent = now.Add(FrameDuration - deviceStall)
			}
		}
		if !now.Before(nextRTCP) {
			s.sendReport(now)
			nextRTCP = now.Add(rtcpJitter(s.reportInterval(now, began)))
		}
		var ready <-chan struct{}
		if sd.ring != nil {
			ready = sd.ring.ready
		}
		select {
		case <-s.stop:
			if sd.ring != nil {
				sd.ring.halt()
			}
			return
		case <-ticker.C():
		case <-ready:
		case req := <-s.srcSwap:
			sd.useSource(req.src)
			close(req.done)
			if sd.ring != nil {
				lastSent = s.clock.Now()
			} else {
				start, frames = s.clock.Now(), 0
			}
		}
	}
}

// useSource switches to src, stopping the previous device reader first
// so the caller may close the old source once the switch is done.
func (sd *sender) useSource(src Source) {
	s := sd.s
	if sd.ring != nil {
		sd.ring.halt()
		sd.ring = nil
	}
	sd.src, sd.eof, sd.readErr = src, false, false
	if !isRealTime(src) {
		return
	}
	ring := newCaptureRing()
	sd.ring = ring
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ring.run(src, s.clock, s.stop, &s.lat.capture, func(err error) {
			if err != nil {
				s.log.Warn("audio capture failed; sending silence", "err", err)
				return
			}
			s.markSourceDone()
		})
	}()
}

// deviceStall is how long a capture device may deliver nothing before the
// sender fills in silence.
const deviceStall = 3 * FrameDuration

// rtcpJitter spreads reports over [0.5, 1.5] x d as RFC 3550 asks.
func rtcpJitter(d time.Duration) time.Duration {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(d)))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())
}

func (s *Session) markSourceDone() { s.srcOnce.Do(func() { close(s.srcDone) }) }

// sendFrame reads one frame from the source and sends it (or a DTMF
// packet in its slot).
func (sd *sender) sendFrame(now time.Time) {
	s := sd.s
	if g := s.encGen.Load(); g != sd.encGen {
		s.mu.Lock()
		prev := sd.enc
		sd.enc, sd.encGen = s.enc, g
		s.senderEnc = sd.enc
		s.mu.Unlock()
		if prev != sd.enc {
			prev.Close() // replaced by Update: no longer used by anyone
		}
	}
	sd.readSource()
	if s.muted.Load() || sd.eof {
		clear(sd.frame[:])
	}
	s.mu.Lock()
	dir := s.params.Direction
	pt := s.params.Codec.PayloadType
	dtmf := s.params.DTMF
	red := s.params.RED
	remote := s.remote
	s.mu.Unlock()
	audioTS := sd.ts
	sd.ts += sd.enc.RTPSamples()
	if !dir.Sends() || !remote.Addr().IsValid() || remote.Addr().IsUnspecified() {
		sd.sending = false
		return
	}
	if dtmf != nil {
		step := dtmf.ClockRate / uint32(time.Second/FrameDuration)
		if n, ts, marker, ok := sd.dtmf.next(s.dtmfQueue, audioTS, step, dtmf.ClockRate, sd.payload[:]); ok {
			sd.encRing[sd.pkt.SequenceNumber%dupRingSize].valid = false
			sd.noDup = false
			sd.write(dtmf.PayloadType, ts, marker, sd.payload[:n], remote, now, audioTS)
			return
		}
	}
	sd.plan = s.adapt.current()
	sd.enc.SetPacketLossPerc(sd.plan.fecPerc)
	sd.enc.SetBitrate(sd.plan.bitrate)
	n, err := sd.enc.Encode(sd.frame[:], sd.payload[:])
	if err != nil || n <= 0 {
		return
	}
	seq := sd.pkt.SequenceNumber
	e := &sd.encRing[seq%dupRingSize]
	e.seq, e.ts, e.valid, e.n = seq, audioTS, true, copy(e.data[:], sd.payload[:n])
	sd.noDup = false
	payload, wirePT := sd.payload[:n], pt
	if d := sd.plan.dupDelay; red != nil && d > 0 {
		// RED carries the redundancy: the frame d back rides along.
		sd.noDup = true
		if old := &sd.encRing[(seq-uint16(d))%dupRingSize]; old.valid && old.seq == seq-uint16(d) {
			if b, ok := appendRED(sd.redBuf[:0], pt, audioTS-old.ts, old.data[:old.n], payload); ok {
				payload, wirePT = b, red.PayloadType
				s.statsMu.Lock()
				s.redSent++
				s.statsMu.Unlock()
			}
		}
	}
	sd.write(wirePT, audioTS, !sd.sending, payload, remote, now, audioTS)
	sd.sending = true
}

func (sd *sender) readSource() {
	if sd.eof {
		return
	}
	if sd.ring != nil {
		at, ok := sd.ring.take(sd.frame[:])
		if !ok {
			clear(sd.frame[:]) // the device is late: fill the gap with silence
			return
		}
		sd.s.lat.sendQueue.add(sd.s.clock.Now().Sub(at))
		return
	}
	err := sd.src.Read(sd.frame[:])
	if err == nil {
		return
	}
	if !errors.Is(err, io.EOF) && !sd.readErr {
		sd.readErr = true
		sd.s.log.Warn("audio source failed; sending silence", "err", err)
	}
	sd.eof = true
	sd.s.markSourceDone()
}

// write sends one packet; slotTS is the audio timestamp of this frame slot
// (a DTMF packet carries its event's start instead), kept for SR timing.
func (sd *sender) write(pt uint8, ts uint32, marker bool, payload []byte, to netip.AddrPort, now time.Time, slotTS uint32) {
	sd.pkt.PayloadType = pt
	sd.pkt.Timestamp = ts
	sd.pkt.Marker = marker
	sd.pkt.Payload = payload
	seq := sd.pkt.SequenceNumber
	n, err := sd.pkt.MarshalTo(sd.wire[:])
	sd.pkt.SequenceNumber++
	if err != nil {
		return
	}
	wire := sd.wire[:n]
	if sec := sd.s.sec.Load(); sec != nil {
		if wire, err = sec.protectRTP(wire); err != nil {
			return
		}
	}
	// Keep the packet as sent (SRTP included: a copy that arrives after
	// the original is then a replay the receiver drops, one that arrives
	// alone is accepted).
	slot := &sd.sentRing[seq%dupRingSize]
	slot.seq, slot.valid, slot.n = seq, len(wire) <= len(slot.wire), copy(slot.wire[:], wire)
	_, werr := sd.s.rtpConn.WriteToUDPAddrPort(wire, to)
	dup := 0
	if d := sd.plan.dupDelay; d > 0 && sd.plan.dupPackets && !sd.noDup {
		old := &sd.sentRing[(seq-uint16(d))%dupRingSize]
		if old.valid && old.seq == seq-uint16(d) {
			if _, err := sd.s.rtpConn.WriteToUDPAddrPort(old.wire[:old.n], to); err == nil {
				dup = 1
			}
		}
	}
	if werr != nil && dup == 0 {
		return
	}
	sd.s.statsMu.Lock()
	if werr == nil {
		sd.s.sent++
		sd.s.sentBytes += uint64(len(payload))
		sd.s.lastSend, sd.s.lastTS = now, slotTS
	}
	sd.s.dups += uint64(dup)
	sd.s.statsMu.Unlock()
}

// rtcpAddr is where reports go: where the peer's reports come from, else
// its RTP port + 1.
func (s *Session) rtcpAddr() netip.AddrPort {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.remoteRTCP.IsValid() {
		return s.remoteRTCP
	}
	return netip.AddrPortFrom(s.remote.Addr(), s.remote.Port()+1)
}

// buildReport makes an SR (if we sent since the last report) or an RR.
func (s *Session) buildReport(now time.Time) []rtcp.Packet {
	s.rxMu.Lock()
	rr, haveRR := s.rx.report(now)
	rle := s.rx.lossRLE()
	s.rxMu.Unlock()
	var reports []rtcp.ReceptionReport
	if haveRR {
		reports = []rtcp.ReceptionReport{rr}
	}
	s.statsMu.Lock()
	sent, octets, lastSend, lastTS := s.sent, s.sentBytes, s.lastSend, s.lastTS
	s.statsMu.Unlock()
	s.mu.Lock()
	clockRate := s.params.Codec.ClockRate
	s.mu.Unlock()
	var first rtcp.Packet
	if sent > 0 {
		rtpNow := lastTS + uint32(now.Sub(lastSend).Seconds()*float64(clockRate))
		first = &rtcp.SenderReport{SSRC: s.ssrc, NTPTime: ntpTime(now), RTPTime: rtpNow,
			PacketCount: uint32(sent), OctetCount: uint32(octets), Reports: reports}
	} else {
		first = &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: reports}
	}
	sdes := &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: s.cname}},
	}}}
	pkts := []rtcp.Packet{first, sdes}
	if rle != nil {
		// RFC 3611 loss runs: tells a Homeshore sender how bursty the
		// loss is; other receivers of it ignore the packet type.
		pkts = append(pkts, &rtcp.ExtendedReport{SenderSSRC: s.ssrc, Reports: []rtcp.ReportBlock{rle}})
	}
	return pkts
}

// reportInterval is the time to the next RTCP report: the regular
// interval, but fastRTCPInterval while the stream we receive loses
// packets (or has just started), so the peer's loss adaptation follows
// within a second or two. The compound packet stays under 5 % of the
// session bandwidth (RFC 3550 6.2).
func (s *Session) reportInterval(now, start time.Time) time.Duration {
	s.rxMu.Lock()
	lossy := s.rx.started && s.rx.expected()-min(s.rx.expPrior, s.rx.expected()) > s.rx.received-min(s.rx.recPrior, s.rx.received)
	s.rxMu.Unlock()
	if lossy || now.Sub(start) < fastRTCPStart {
		return min(s.rtcpEvery, fastRTCPInterval)
	}
	return s.rtcpEvery
}

const (
	fastRTCPInterval = time.Second
	fastRTCPStart    = 5 * time.Second
)

func (s *Session) sendReport(now time.Time) {
	s.writeRTCP(s.buildReport(now))
}

func (s *Session) sendBye() {
	pkts := append(s.buildReport(s.clock.Now()), &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	s.writeRTCP(pkts)
}

func (s *Session) writeRTCP(pkts []rtcp.Packet) {
	to := s.rtcpAddr()
	if !to.Addr().IsValid() || to.Addr().IsUnspecified() {
		return
	}
	b, err := rtcp.Marshal(pkts)
	if err != nil {
		return
	}
	if sec := s.sec.Load(); sec != nil {
		if b, err = sec.protectRTCP(b); err != nil {
			return
		}
	}
	// RTCP leaves from the RTCP socket (RTP+1), as peers expect.
	_, _ = s.rtcpConn.WriteToUDPAddrPort(b, to)
}
