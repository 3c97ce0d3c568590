package media

import (
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// nonBlockingDevice claims to be a real-time device but returns at once:
// the loops driven by it must not spin.
type nonBlockingDevice struct {
	calls atomic.Int64
	tick  chan struct{}
}

func (d *nonBlockingDevice) RealTime() bool { return true }
func (d *nonBlockingDevice) Write([]int16) error {
	d.calls.Add(1)
	select {
	case d.tick <- struct{}{}:
	default:
	}
	return nil
}
func (d *nonBlockingDevice) Read(f []int16) error {
	clear(f)
	return d.Write(nil)
}

// A sink and a source that say they are devices but never block: after a
// little slack the session paces them on its clock. Before, the playout
// and capture loops spun a core each.
func TestSessionPacesDevicesThatDoNotBlock(t *testing.T) {
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
	codec, _ := LookupCodec("pcmu")
	sink := &nonBlockingDevice{tick: make(chan struct{}, 1)}
	src := &nonBlockingDevice{tick: make(chan struct{}, 1)}
	if err := s.Start(SessionParams{Remote: addrOf(peer), Codec: codec}, src, sink); err != nil {
		t.Fatal(err)
	}
	const steps = 50
	for range steps {
		clock.Advance(FrameDuration)
	}
	// Both loops keep running on the clock (not stuck) ...
	for _, d := range []*nonBlockingDevice{sink, src} {
		for i := 0; d.calls.Load() < rtSlack+steps/2; i++ {
			if i == 500 {
				t.Fatalf("a loop stopped after %d frames", d.calls.Load())
			}
			clock.Advance(FrameDuration)
			select { // the loop's next frame, or give it a moment
			case <-d.tick:
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	// ... but no faster than the clock: each loop may be rtSlack (plus the
	// catch-up after switching) ahead of it, never thousands.
	elapsed := int64(clock.Now().Sub(time.Unix(1_700_000_000, 0)) / FrameDuration)
	for _, c := range []struct {
		name string
		n    int64
	}{{"playout", sink.calls.Load()}, {"capture", src.calls.Load()}} {
		if c.n > elapsed+2*rtSlack+maxCatchUp {
			t.Fatalf("%s ran %d frames in %d frames of time: it spins", c.name, c.n, elapsed)
		}
	}
}
