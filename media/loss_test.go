package media

import (
	"errors"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// lossyRelay forwards UDP from one side to the other on 127.0.0.1 and
// drops the packets for which drop(n) is true (n counts forwarded-or-
// dropped packets from a). Replies from b go back to a unchanged.
type lossyRelay struct {
	toB, toA *net.UDPConn // toB faces a; toA faces b
	wg       sync.WaitGroup
}

func newLossyRelay(t *testing.T) *lossyRelay {
	t.Helper()
	listen := func() *net.UDPConn {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	r := &lossyRelay{toB: listen(), toA: listen()}
	t.Cleanup(func() {
		r.toB.Close()
		r.toA.Close()
		r.wg.Wait()
	})
	return r
}

// start forwards between a (who sends to r.toB) and b, dropping packet n
// from a when drop(n).
func (r *lossyRelay) start(b netip.AddrPort, drop func(n int) bool) {
	r.startDelayed(b, func(n int) (time.Duration, bool) { return 0, !drop(n) })
}

// startDelayed forwards packet n from a after delay(n), if at all.
func (r *lossyRelay) startDelayed(b netip.AddrPort, delay func(n int) (time.Duration, bool)) {
	var mu sync.Mutex
	var aAddr netip.AddrPort
	r.wg.Add(2)
	go func() {
		defer r.wg.Done()
		buf := make([]byte, 2048)
		for n := 0; ; n++ {
			k, from, err := r.toB.ReadFromUDPAddrPort(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			mu.Lock()
			aAddr = from
			mu.Unlock()
			d, ok := delay(n)
			switch {
			case !ok:
			case d == 0:
				r.toA.WriteToUDPAddrPort(buf[:k], b)
			default:
				pkt := append([]byte(nil), buf[:k]...)
				r.wg.Add(1)
				time.AfterFunc(d, func() {
					defer r.wg.Done()
					r.toA.WriteToUDPAddrPort(pkt, b)
				})
			}
		}
	}()
	go func() {
		defer r.wg.Done()
		buf := make([]byte, 2048)
		for {
			k, _, err := r.toA.ReadFromUDPAddrPort(buf)
			if errors.Is(err, net.ErrClosed) {
				return
			}
			mu.Lock()
			to := aAddr
			mu.Unlock()
			if to.IsValid() {
				r.toB.WriteToUDPAddrPort(buf[:k], to)
			}
		}
	}()
}

func addrOf(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// One packet in ten is lost between A and B: with Opus, B rebuilds each
// from the FEC in the next packet, reports the loss, and the recording
// still follows the source.
func TestSessionOpusFECUnderLoss(t *testing.T) {
	t.Parallel()
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	codec, _ := LookupCodec("opus")
	a, b := newTestSession(t), newTestSession(t)
	relay := newLossyRelay(t)
	drop := func(n int) bool { return n%10 == 5 }
	relay.start(b.LocalAddr(), drop)
	signal := speechLike(2*SampleRate, SampleRate)
	sink := newMemSink(len(signal))
	if err := b.Start(SessionParams{Remote: addrOf(relay.toA), Codec: codec}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: addrOf(relay.toB), Codec: codec}, &memSource{samples: signal}, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sink.full, 10*time.Second, "recording")
	st := b.Stats()
	t.Logf("B: %+v", st)
	if st.PacketsLost < 8 || st.LossPercent < 8 || st.LossPercent > 12 {
		t.Fatalf("loss not measured: %+v", st)
	}
	// A loaded machine can delay the packet after a loss past its
	// playout time, leaving PLC to cover; most losses must use FEC.
	if st.FECRecovered < st.PacketsLost/2 {
		t.Fatalf("only %d of %d lost frames rebuilt from FEC", st.FECRecovered, st.PacketsLost)
	}
	c, _ := bestCorrelation(envelope(signal, SampleRate), envelope(sink.snapshot(), SampleRate), 100)
	if c < 0.8 {
		t.Fatalf("envelope correlation %.3f under 10%% loss: %+v", c, st)
	}
	if st.MOS > 4 || st.MOS < 2.5 {
		t.Fatalf("MOS %.2f for 10%% loss: %+v", st.MOS, st)
	}
}

// Packets delayed by a seeded 0-60 ms (so also reordered): the jitter
// buffer measures the jitter, deepens, and plays with little concealment.
func TestSessionAdaptsToJitter(t *testing.T) {
	t.Parallel()
	codec, _ := LookupCodec("pcmu")
	a, b := newTestSession(t), newTestSession(t)
	relay := newLossyRelay(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	relay.startDelayed(b.LocalAddr(), func(int) (time.Duration, bool) {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(rng.IntN(60)) * time.Millisecond, true
	})
	signal := speechLike(3*SampleRate, SampleRate)
	sink := newMemSink(len(signal))
	if err := b.Start(SessionParams{Remote: addrOf(relay.toA), Codec: codec}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: addrOf(relay.toB), Codec: codec}, &memSource{samples: signal}, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sink.full, 10*time.Second, "recording")
	st := b.Stats()
	b.rxMu.Lock()
	target, jbStats := b.jb.Target(), b.jb.stats
	b.rxMu.Unlock()
	t.Logf("B: %+v; jitter buffer target %d frames, %+v", st, target, jbStats)
	if st.JitterMs < 5 {
		t.Fatalf("jitter %.1f ms measured for 0-60 ms delays", st.JitterMs)
	}
	if target <= jbMinFrames {
		t.Fatalf("target stayed at %d frames", target)
	}
	// Packets still in flight when Stats is read count as lost for now
	// (RFC 3550); reordering itself must not.
	if st.PacketsLost > 3 {
		t.Fatalf("reordering counted as loss: %+v", st)
	}
	// The first second teaches the buffer; afterwards little is concealed.
	if st.Concealed > uint64(len(signal)/FrameSamples/5) {
		t.Fatalf("%d of %d frames concealed", st.Concealed, len(signal)/FrameSamples)
	}
	c, _ := bestCorrelation(envelope(signal, SampleRate), envelope(sink.snapshot(), SampleRate), 100)
	if c < 0.8 {
		t.Fatalf("envelope correlation %.3f under jitter", c)
	}
}
