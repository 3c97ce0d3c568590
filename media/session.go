package media

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// SessionOptions configure a Session before it binds its ports.
type SessionOptions struct {
	Logger           *slog.Logger
	PortMin, PortMax int   // RTP port range; 0,0 = any free even port
	OpusBitrate      int   // bits per second; 0 = DefaultOpusBitrate
	Clock            Clock // nil = SystemClock; tests pass a fake one
}

// SessionParams are what SDP negotiated for the call.
type SessionParams struct {
	Remote    netip.AddrPort // remote RTP address; RTCP goes to port+1
	Codec     Codec          // audio codec, with the payload type to send
	DTMF      *Codec         // telephone-event, nil if not negotiated
	Direction Direction      // our direction (SendOnly: we send, we do not play)
	SRTP      *SRTP          // keys when the media is encrypted; nil = plain RTP
	// RED is the RFC 2198 payload type when the peer negotiated
	// redundancy for Codec (red/48000 with Opus); nil = none. We decode
	// it whenever it comes, and send it while the loss adaptation asks
	// for redundancy (instead of duplicate packets).
	RED *Codec
	// PTAlias maps other payload types the far end may send for Codec,
	// DTMF or RED to theirs above: under RFC 3264 §5.1 it sends with the
	// numbers of our offer, which its answer may have renumbered. Nil: none.
	PTAlias map[uint8]uint8
}

// Session is one call's RTP/RTCP audio stream: it paces the source onto the
// network every 20 ms and plays what arrives through an adaptive jitter
// buffer into the sink.
type Session struct {
	log   *slog.Logger
	clock Clock
	opts  SessionOptions

	rtpConn, rtcpConn *net.UDPConn
	rtpIn, rtcpIn     packetReader // the sockets' reading side (tests inject failures)
	local             netip.AddrPort
	ssrc              uint32
	cname             string

	mu         sync.Mutex // guards the fields below
	params     SessionParams
	remote     netip.AddrPort // where RTP goes; latched to the peer's real port
	latch      latch
	remoteRTCP netip.AddrPort // where the peer's RTCP came from, once it did
	started    bool
	closed     bool
	enc        encoder // replaced by Update; the sender picks it up between frames
	senderEnc  encoder // the encoder the sender took last; it closes it when it takes the next
	sourceName string
	sinkName   string

	rxMu      sync.Mutex // receive side, shared by reader and playout
	jb        *jitterBuffer
	rx        rxStats
	dec       decoder
	dtmfRx    dtmfReceiver
	redBlocks [maxREDBlocks]redBlock
	foreign   uint64 // packets dropped: unexpected source address
	malformed uint64
	wrongPT   uint64

	// sec holds the SRTP contexts (nil: plain RTP); swapped whole by Update
	// when a re-INVITE changes the keys.
	sec             atomic.Pointer[srtpState]
	unauthenticated atomic.Uint64         // SRTP/SRTCP packets that failed authentication or replay checks
	readErr         atomic.Pointer[error] // why a reader gave up on its socket

	encGen atomic.Uint64 // bumped when Update installs a new encoder
	muted  atomic.Bool
	adapt  *lossAdapter // FEC, bitrate and duplication from the peer's reports
	lat    latencyFigures

	statsMu   sync.Mutex
	sent      uint64
	dups      uint64 // time-diverse duplicates sent
	redSent   uint64 // packets that carried an older frame as RED
	sentBytes uint64
	rtt       time.Duration
	fec       uint64
	concealed uint64
	lastSend  time.Time
	lastTS    uint32

	rtcpEvery time.Duration                                      // RTCP report interval (RFC 3550: 5 s); tests shorten it
	newCodecs func(SessionParams, int) (encoder, decoder, error) // newCodecPair; tests track closes

	srcSwap   chan swapRequest
	sinkSwap  chan swapRequest
	dtmfQueue chan rune
	dtmfOut   chan rune
	srcDone   chan struct{}
	srcOnce   sync.Once
	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

const dtmfQueueSize = 64

// NewSession binds an even RTP port and the next one for RTCP on laddr.
func NewSession(laddr netip.Addr, opts SessionOptions) (*Session, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock()
	}
	if opts.OpusBitrate <= 0 {
		opts.OpusBitrate = DefaultOpusBitrate
	}
	if !laddr.IsValid() {
		return nil, fmt.Errorf("media: no local address to bind RTP on")
	}
	rtpConn, rtcpConn, err := bindPair(laddr, opts.PortMin, opts.PortMax)
	if err != nil {
		return nil, err
	}
	var id [12]byte
	_, _ = rand.Read(id[:])
	s := &Session{
		log:       opts.Logger,
		clock:     opts.Clock,
		opts:      opts,
		rtpConn:   rtpConn,
		rtcpConn:  rtcpConn,
		rtpIn:     rtpConn,
		rtcpIn:    rtcpConn,
		local:     netip.AddrPortFrom(laddr, uint16(rtpConn.LocalAddr().(*net.UDPAddr).Port)),
		ssrc:      binary.BigEndian.Uint32(id[:4]),
		cname:     hex.EncodeToString(id[4:]) + "@homeshore",
		jb:        newJitterBuffer(),
		rtcpEvery: rtcpInterval,
		newCodecs: newCodecPair,
		adapt:     newLossAdapter(opts.OpusBitrate),
		srcSwap:   make(chan swapRequest),
		sinkSwap:  make(chan swapRequest),
		dtmfQueue: make(chan rune, dtmfQueueSize),
		dtmfOut:   make(chan rune, dtmfQueueSize),
		srcDone:   make(chan struct{}),
		stop:      make(chan struct{}),
	}
	return s, nil
}

// bindPair finds an even port p with p+1 free, in [min,max] or anywhere.
func bindPair(laddr netip.Addr, lo, hi int) (*net.UDPConn, *net.UDPConn, error) {
	try := func(port int) (*net.UDPConn, *net.UDPConn, bool) {
		a, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(laddr, uint16(port))))
		if err != nil {
			return nil, nil, false
		}
		p := a.LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 || p >= 65535 {
			a.Close()
			return nil, nil, false
		}
		b, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(laddr, uint16(p+1))))
		if err != nil {
			a.Close()
			return nil, nil, false
		}
		return a, b, true
	}
	if lo <= 0 && hi <= 0 {
		for range 100 {
			if a, b, ok := try(0); ok {
				return a, b, nil
			}
		}
		return nil, nil, fmt.Errorf("%w on %s", ErrNoPorts, laddr)
	}
	if lo <= 0 || hi > 65535 || lo > hi {
		return nil, nil, fmt.Errorf("%w: bad RTP port range %d-%d", ErrNoPorts, lo, hi)
	}
	for p := lo + lo%2; p+1 <= hi; p += 2 {
		if a, b, ok := try(p); ok {
			return a, b, nil
		}
	}
	return nil, nil, fmt.Errorf("%w in %d-%d on %s (other calls or programs use them; widen the range)", ErrNoPorts, lo, hi, laddr)
}

// LocalAddr is the RTP address to put in SDP.
func (s *Session) LocalAddr() netip.AddrPort { return s.local }

// Start begins sending src and playing into sink; either may be nil
// (silence / discard). The Session never closes them.
func (s *Session) Start(p SessionParams, src Source, sink Sink) error {
	var sec *srtpState
	if p.SRTP != nil {
		var err error
		if sec, err = newSRTPState(*p.SRTP); err != nil {
			return err
		}
	}
	enc, dec, err := s.newCodecs(p, s.opts.OpusBitrate)
	if err != nil {
		return err
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		enc.Close()
		dec.Close()
		return ErrClosed
	case s.started:
		s.mu.Unlock()
		enc.Close()
		dec.Close()
		return ErrAlreadyStarted
	}
	if src == nil {
		src = Silence()
	}
	if sink == nil {
		sink = discard{}
	}
	s.started = true
	s.params = p
	s.sec.Store(sec)
	s.remote = unmapAddrPort(p.Remote)
	s.enc = enc
	s.sourceName, s.sinkName = describe(src), describeSink(sink)
	// Added under mu so a concurrent Close either refuses this Start or
	// waits for these goroutines.
	s.wg.Add(4)
	s.mu.Unlock()
	s.rxMu.Lock()
	s.dec = dec
	s.rxMu.Unlock()

	s.log.Info("media started",
		"send", fmt.Sprintf("%s -> %s -> RTP(pt=%d) -> %s", s.sourceName, enc, p.Codec.PayloadType, p.Remote),
		"receive", fmt.Sprintf("%s -> RTP(pt=%d) -> Jitter(adaptive %d-%d ms) -> %s -> %s", s.local, p.Codec.PayloadType, jbMinFrames*20, jbMaxFrames*20, dec, s.sinkName),
		"direction", p.Direction, "dtmf", dtmfDesc(p.DTMF), "srtp", srtpDesc(p.SRTP))

	go func() { defer s.wg.Done(); s.readRTP() }()
	go func() { defer s.wg.Done(); s.readRTCP() }()
	go func() { defer s.wg.Done(); s.sendLoop(src) }()
	go func() { defer s.wg.Done(); s.playout(sink) }()
	return nil
}

func srtpDesc(k *SRTP) string {
	if k == nil {
		return "off"
	}
	return k.Suite
}

func dtmfDesc(c *Codec) string {
	if c == nil {
		return "none"
	}
	return fmt.Sprintf("RFC4733(pt=%d)", c.PayloadType)
}

// describeSink names a sink, saying when it pulls its audio.
func describeSink(sink Sink) string {
	if _, ok := sink.(Player); ok {
		return describe(sink) + " (pulls)"
	}
	return describe(sink)
}

func describe(v any) string {
	if st, ok := v.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", v)
}

func newCodecPair(p SessionParams, bitrate int) (encoder, decoder, error) {
	if !p.Remote.IsValid() {
		return nil, nil, fmt.Errorf("media: invalid remote RTP address %v", p.Remote)
	}
	enc, err := newEncoder(p.Codec, bitrate)
	if err != nil {
		return nil, nil, err
	}
	dec, err := newDecoder(p.Codec)
	if err != nil {
		enc.Close()
		return nil, nil, err
	}
	return enc, dec, nil
}

func unmapAddrPort(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// swapRequest asks the send or playout goroutine to change its endpoint;
// done is closed once the old one is no longer used.
type swapRequest struct {
	src  Source
	sink Sink
	done chan struct{}
}

// SetSource replaces the audio sent (another microphone, a file); nil
// means silence. It returns once the old source is no longer read, so the
// caller may close it then: the Session never closes a source.
func (s *Session) SetSource(src Source) error {
	if src == nil {
		src = Silence()
	}
	return s.swap(s.srcSwap, swapRequest{src: src, done: make(chan struct{})}, "source", describe(src))
}

// SetSink replaces where received audio is played (another headset, a
// file); nil discards it. It returns once the old sink is no longer
// written, so the caller may close it then.
func (s *Session) SetSink(sink Sink) error {
	if sink == nil {
		sink = discard{}
	}
	return s.swap(s.sinkSwap, swapRequest{sink: sink, done: make(chan struct{})}, "sink", describeSink(sink))
}

func (s *Session) swap(to chan<- swapRequest, req swapRequest, what, name string) error {
	s.mu.Lock()
	started, closed := s.started, s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case !started:
		return ErrNotStarted
	}
	select {
	case to <- req:
	case <-s.stop:
		return ErrClosed
	}
	<-req.done
	s.log.Info("media "+what+" switched", what, name)
	return nil
}

// SetMute sends silence instead of the source while on: the stream keeps
// flowing so NAT bindings and the peer's jitter buffer stay alive.
func (s *Session) SetMute(on bool) { s.muted.Store(on) }

// SendDTMF queues RFC 4733 digits (0-9 * # A-D); they go out in order,
// about 160 ms each. It fails if no telephone-event was negotiated.
func (s *Session) SendDTMF(digits string) error {
	s.mu.Lock()
	dtmf := s.params.DTMF
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if dtmf == nil {
		return ErrNoDTMF
	}
	for _, r := range digits {
		if _, ok := dtmfEvent(r); !ok {
			return fmt.Errorf("%w: %q", ErrBadDTMFDigit, r)
		}
	}
	for _, r := range digits {
		select {
		case s.dtmfQueue <- r:
		default:
			return fmt.Errorf("media: DTMF queue full (%d digits pending)", dtmfQueueSize)
		}
	}
	return nil
}

// DTMF delivers digits received as RFC 4733 events, one per event.
func (s *Session) DTMF() <-chan rune { return s.dtmfOut }

// SourceDone is closed when the source returned io.EOF; the Session then
// keeps sending silence.
func (s *Session) SourceDone() <-chan struct{} { return s.srcDone }

// Stats is safe to call at any time from any goroutine.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	codec := s.params.Codec.Name
	s.mu.Unlock()
	st := Stats{Codec: codec, SRTPRejected: s.unauthenticated.Load()}
	if sec := s.sec.Load(); sec != nil {
		st.SRTP = sec.keys.Suite
	}
	s.rxMu.Lock()
	st.PacketsReceived = s.rx.totalReceived()
	st.PacketsLost = s.rx.totalLost()
	st.LossPercent = s.rx.lossPercent()
	jitter := s.rx.jitterDuration()
	jbDelay := s.jb.Delay()
	s.rxMu.Unlock()
	st.JitterMs = float64(jitter) / float64(time.Millisecond)
	st.JitterBufferMs = float64(jbDelay) / float64(time.Millisecond)
	s.statsMu.Lock()
	st.PacketsSent = s.sent
	st.DuplicatesSent = s.dups + s.redSent
	rtt := s.rtt
	st.FECRecovered, st.Concealed = s.fec, s.concealed
	s.statsMu.Unlock()
	st.RTTMs = float64(rtt) / float64(time.Millisecond)
	st.CaptureMs, st.SendQueueMs, st.PlayoutMs = ms(s.lat.capture.get()), ms(s.lat.sendQueue.get()), ms(s.lat.playout.get())
	st.PlayoutUnderruns = s.lat.underruns.Load()
	st.SendLatencyMs = st.CaptureMs + ms(FrameDuration) + st.SendQueueMs
	st.ReceiveLatencyMs = st.RTTMs/2 + st.JitterBufferMs + st.PlayoutMs
	st.PeerLossPercent, st.PeerLossBurst = s.adapt.lossFigures()
	plan := s.adapt.current()
	st.FECLossPercent, st.DuplicationMs = plan.fecPerc, plan.dupDelay*int(FrameDuration/time.Millisecond)
	s.mu.Lock()
	st.Relatches = s.latch.relatches
	s.mu.Unlock()
	if err := s.Err(); err != nil {
		st.ReceiveError = err.Error()
	}
	// One-way latency: half the round trip (when known), the jitter
	// buffer and one packet of packetization.
	oneWay := rtt/2 + jbDelay + FrameDuration
	st.RFactor, st.MOS = EModel(oneWay, jitter, st.LossPercent)
	return st
}

// Err reports why the session stopped receiving (its socket kept
// failing), or nil.
func (s *Session) Err() error {
	if p := s.readErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Close stops the streams (waiting for them), sends RTCP BYE and closes
// the sockets. It does not close the source or sink. Safe to call twice.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		started := s.started
		s.mu.Unlock()
		close(s.stop)
		if started {
			s.sendBye()
		}
		errs := []error{s.rtpConn.Close(), s.rtcpConn.Close()}
		s.wg.Wait()
		s.mu.Lock()
		if s.enc != nil {
			s.enc.Close()
		}
		s.mu.Unlock()
		s.rxMu.Lock()
		if s.dec != nil {
			s.dec.Close()
		}
		s.rxMu.Unlock()
		if started {
			st := s.Stats()
			s.log.Info("media closed", "codec", st.Codec, "sent", st.PacketsSent, "received", st.PacketsReceived,
				"lost", st.PacketsLost, "loss_pct", round2(st.LossPercent), "jitter_ms", round2(st.JitterMs),
				"rtt_ms", round2(st.RTTMs), "mos", round2(st.MOS), "r", round2(st.RFactor),
				"fec_recovered", st.FECRecovered, "concealed", st.Concealed)
			s.log.Info("media latency", "chain", latencyChain(st))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
