package media

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// fakePlayer is a pulling device: the test plays its callback (pull). It
// fails the test if anyone writes to it.
type fakePlayer struct {
	t      *testing.T
	mu     sync.Mutex
	src    Source
	plays  chan Source   // each Play's argument
	asked  chan struct{} // each Latency call
	closed bool
}

func newFakePlayer(t *testing.T) *fakePlayer {
	return &fakePlayer{t: t, plays: make(chan Source, 8), asked: make(chan struct{}, 8)}
}

func (f *fakePlayer) Play(src Source) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errors.New("closed")
	}
	f.src = src
	f.plays <- src
	return nil
}

func (f *fakePlayer) Write([]int16) error {
	f.t.Error("a pulling device was written to")
	return nil
}

func (f *fakePlayer) Latency() time.Duration {
	f.asked <- struct{}{}
	return 7 * time.Millisecond
}

// pull is the device callback: one frame from the source, or false when
// none is playing.
func (f *fakePlayer) pull(frame []int16) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.src == nil {
		return false
	}
	if err := f.src.Read(frame); err != nil {
		f.t.Errorf("pulled source failed: %v", err)
	}
	return true
}

// A Session plays into a pulling device by handing it its playout as a
// source: each packet is played at the first pull after it arrived (the
// jitter buffer's least depth on a clean path), nothing is written, the
// device's latency shows in the stats, and a sink swap or Close takes the
// source back before returning.
func TestSessionPlaysIntoAPullingDevice(t *testing.T) {
	clock := newFakeClock()
	s, err := NewSession(loopback, SessionOptions{Logger: testLogger(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	codec := pcmuCodec()
	peer := netip.MustParseAddrPort("127.0.0.1:9") // never sent to: direction recvonly
	dev := newFakePlayer(t)
	if err := s.Start(SessionParams{Remote: peer, Codec: codec, Direction: RecvOnly}, nil, dev); err != nil {
		t.Fatal(err)
	}
	if src := <-dev.plays; src == nil {
		t.Fatal("the session did not hand the device a source")
	}
	<-clock.created // the sender's ticker
	<-clock.created // the playout's, while the device pulls
	enc, err := newEncoder(codec, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	sig := tone(60*FrameSamples, SampleRate, 1000, 8000)
	payload := make([]byte, maxPayloadSize)
	frame := make([]int16, FrameSamples)
	var heard []int16
	for i := range 60 {
		n, err := enc.Encode(sig[i*FrameSamples:(i+1)*FrameSamples], payload)
		if err != nil {
			t.Fatal(err)
		}
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: codec.PayloadType, SequenceNumber: uint16(500 + i),
			Timestamp: uint32(i * 160), SSRC: 42}, Payload: payload[:n]}
		// The packet arrives 3 ms before the device asks for a frame.
		s.handleRTP(&pkt, peer, clock.Now())
		clock.Advance(3 * time.Millisecond)
		if !dev.pull(frame) {
			t.Fatal("no source to pull from")
		}
		if i == 0 && rms(frame) < 1000 {
			t.Fatalf("the first packet was not played at the first pull after it (rms %.0f)", rms(frame))
		}
		heard = append(heard, frame...)
		clock.Advance(FrameDuration - 3*time.Millisecond)
	}
	if share := goertzel(heard[FrameSamples:], SampleRate, 1000); share < 0.8 {
		t.Fatalf("pulled audio is not the tone: 1 kHz share %.2f", share)
	}
	st := s.Stats()
	if st.Concealed != 0 || st.JitterBufferMs > 4 {
		t.Fatalf("clean stream: concealed %d, jitter buffer %.1f ms (want about 3)", st.Concealed, st.JitterBufferMs)
	}

	// The playout goroutine asks the device for its latency now and then;
	// once asked twice, the first answer is in.
	for range 2 {
		clock.Advance(latencySampleEvery * FrameDuration)
		<-dev.asked
	}
	if st := s.Stats(); st.PlayoutMs != 7 || st.ReceiveLatencyMs < 7 {
		t.Fatalf("stats %+v: want the device's 7 ms of playout", st)
	}

	sink := newMemSink(0)
	if err := s.SetSink(sink); err != nil {
		t.Fatal(err)
	}
	if src := <-dev.plays; src != nil {
		t.Fatal("the device kept a source after the sink was swapped")
	}
	if dev.pull(frame) {
		t.Fatal("the old device still pulls after SetSink returned")
	}
	if err := s.SetSink(dev); err != nil {
		t.Fatal(err)
	}
	if src := <-dev.plays; src == nil {
		t.Fatal("swapping back did not pull again")
	}
	s.Close()
	if src := <-dev.plays; src != nil || dev.pull(frame) {
		t.Fatal("the device still pulls after Close")
	}
}
