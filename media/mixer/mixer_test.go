package mixer

import (
	"errors"
	"io"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/homeshore/homeshore/media"
)

func frameOf(v int16) []int16 {
	f := make([]int16, media.FrameSamples)
	for i := range f {
		f[i] = v
	}
	return f
}

// readValue reads one frame from p and returns its (constant) value,
// failing if the samples differ.
func readValue(t *testing.T, p *Port) int16 {
	t.Helper()
	f := make([]int16, media.FrameSamples)
	if err := p.Read(f); err != nil {
		t.Fatalf("%s: read: %v", p.Name(), err)
	}
	for _, s := range f[1:] {
		if s != f[0] {
			t.Fatalf("%s: frame not constant: %d and %d", p.Name(), f[0], s)
		}
	}
	return f[0]
}

func addPorts(t *testing.T, m *Mixer, names ...string) []*Port {
	t.Helper()
	var out []*Port
	for _, n := range names {
		p, err := m.Add(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestRoutesDecideWhoHearsWhom: one tick with distinct inputs from the
// agent, the customer and a supervisor; each output is the sum of exactly
// the inputs its route names, for each monitoring mode and the conference.
func TestRoutesDecideWhoHearsWhom(t *testing.T) {
	const agentV, customerV, supV = 1000, 200, 30
	cases := []struct {
		name                         string
		routes                       func(a, c, s *Port) Routes
		wantAgent, wantCust, wantSup int16
	}{
		{"listen", func(a, c, s *Port) Routes {
			return Routes{a: {c}, c: {a}, s: {a, c}}
		}, customerV, agentV, agentV + customerV},
		{"whisper", func(a, c, s *Port) Routes {
			return Routes{a: {c, s}, c: {a}, s: {a, c}}
		}, customerV + supV, agentV, agentV + customerV},
		{"barge", func(a, c, s *Port) Routes {
			return Routes{a: {c, s}, c: {a, s}, s: {a, c}}
		}, customerV + supV, agentV + supV, agentV + customerV},
		{"self is never heard", func(a, c, s *Port) Routes {
			return Routes{a: {a, c}, c: {c}, s: nil}
		}, customerV, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := New(Options{})
				defer m.Close()
				ports := addPorts(t, m, "agent", "customer", "supervisor")
				a, c, s := ports[0], ports[1], ports[2]
				m.SetRoutes(tc.routes(a, c, s))
				for _, w := range []struct {
					p *Port
					v int16
				}{{a, agentV}, {c, customerV}, {s, supV}} {
					if err := w.p.Write(frameOf(w.v)); err != nil {
						t.Fatal(err)
					}
				}
				if got := readValue(t, a); got != tc.wantAgent {
					t.Errorf("agent hears %d, want %d", got, tc.wantAgent)
				}
				if got := readValue(t, c); got != tc.wantCust {
					t.Errorf("customer hears %d, want %d", got, tc.wantCust)
				}
				if got := readValue(t, s); got != tc.wantSup {
					t.Errorf("supervisor hears %d, want %d", got, tc.wantSup)
				}
			})
		})
	}
}

// TestMixSaturates: loud inputs clip at the 16-bit limits instead of
// wrapping around.
func TestMixSaturates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "a", "b", "c", "d")
		m.SetRoutes(Routes{p[0]: {p[1], p[2]}, p[3]: {p[1], p[2]}})
		_ = p[1].Write(frameOf(30000))
		_ = p[2].Write(frameOf(20000))
		if got := readValue(t, p[0]); got != math.MaxInt16 {
			t.Errorf("got %d, want %d", got, math.MaxInt16)
		}
		_ = p[1].Write(frameOf(-30000))
		_ = p[2].Write(frameOf(-20000))
		readValue(t, p[0])
		if got := readValue(t, p[3]); got != math.MaxInt16 {
			t.Errorf("first frame of d: got %d, want %d", got, math.MaxInt16)
		}
		if got := readValue(t, p[3]); got != math.MinInt16 {
			t.Errorf("got %d, want %d", got, math.MinInt16)
		}
	})
}

// TestUnderrunIsSilence: a party that sends nothing is silence in the mix
// and counted; the others still hear each other.
func TestUnderrunIsSilence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "talker", "mute", "listener")
		m.SetRoutes(Routes{p[2]: {p[0], p[1]}})
		_ = p[0].Write(frameOf(7))
		if got := readValue(t, p[2]); got != 7 {
			t.Fatalf("listener hears %d, want 7", got)
		}
		if got := readValue(t, p[2]); got != 0 {
			t.Fatalf("next tick with no input: %d, want silence", got)
		}
		if u := p[1].Stats().Underruns; u < 2 {
			t.Errorf("mute party underruns %d, want at least 2", u)
		}
	})
}

// TestWriteIsPacedByTheMixer: a session writing as fast as Write returns
// (a real-time sink) is held to one frame a tick with at most writeDepth
// queued, so no latency builds up.
func TestWriteIsPacedByTheMixer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "session", "ear")
		m.SetRoutes(Routes{p[1]: {p[0]}})
		start := time.Now()
		for i := range 50 {
			if err := p[0].Write(frameOf(int16(i + 1))); err != nil {
				t.Fatal(err)
			}
		}
		elapsed := time.Since(start)
		want := time.Duration(50-writeDepth) * media.FrameDuration
		if elapsed != want {
			t.Fatalf("50 writes took %s, want %s (one per 20 ms tick after %d queued)", elapsed, want, writeDepth)
		}
		p[0].mu.Lock()
		queued := p[0].in.len()
		p[0].mu.Unlock()
		if queued > writeDepth {
			t.Fatalf("%d frames queued, want at most %d", queued, writeDepth)
		}
	})
}

// TestFastDeviceDropsOldest: a capture device faster than the mixer (clock
// drift) never blocks and never builds latency: its oldest frames go.
func TestFastDeviceDropsOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{QueueFrames: 3})
		defer m.Close()
		p := addPorts(t, m, "device", "ear")
		m.SetRoutes(Routes{p[1]: {p[0]}})
		for i := range 10 { // ten frames between two ticks
			p[0].offer(frameOf(int16(i + 1)))
		}
		if got := readValue(t, p[1]); got != 9 {
			t.Fatalf("first mixed frame %d, want 9 (the older of the 2 newest)", got)
		}
		if d := p[0].Stats().Dropped; d != 8 {
			t.Fatalf("dropped %d, want 8", d)
		}
	})
}

// TestSlowReaderMissesOldest: output nobody reads in time is dropped, so a
// late reader gets recent audio, not a growing backlog.
func TestSlowReaderMissesOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{QueueFrames: 2})
		defer m.Close()
		p := addPorts(t, m, "src", "late")
		m.SetRoutes(Routes{p[1]: {p[0]}})
		time.Sleep(10*media.FrameDuration + media.FrameDuration/2)
		if miss := p[1].Stats().Missed; miss != 8 {
			t.Fatalf("missed %d, want 8 (10 ticks, queue of 2)", miss)
		}
	})
}

// TestRemoveAndCloseReleaseBlockedParties: a blocked Read or Write returns
// ErrRemoved as soon as its port goes, so an RTP session never hangs on it.
func TestRemoveAndCloseReleaseBlockedParties(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		p := addPorts(t, m, "a", "b")
		errs := make(chan error, 2)
		go func() {
			for {
				if err := p[0].Write(frameOf(1)); err != nil {
					errs <- err
					return
				}
			}
		}()
		m.Remove(p[0])
		if err := <-errs; !errors.Is(err, ErrRemoved) {
			t.Fatalf("write after remove: %v", err)
		}
		m.Remove(p[0]) // twice is harmless
		go func() {
			f := make([]int16, media.FrameSamples)
			for {
				if err := p[1].Read(f); err != nil {
					errs <- err
					return
				}
			}
		}()
		time.Sleep(5 * media.FrameDuration)
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-errs; !errors.Is(err, ErrRemoved) {
			t.Fatalf("read after close: %v", err)
		}
		if _, err := m.Add("late"); !errors.Is(err, ErrRemoved) {
			t.Fatalf("add after close: %v", err)
		}
		_ = m.Close()
	})
}

// TestRemovedPortIsHeardByNobody: routes to a removed port vanish, and a
// new port in its slot is not heard by the old listeners.
func TestRemovedPortIsHeardByNobody(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "ear", "gone")
		m.SetRoutes(Routes{p[0]: {p[1]}})
		m.Remove(p[1])
		q, err := m.Add("newcomer")
		if err != nil {
			t.Fatal(err)
		}
		_ = q.Write(frameOf(5))
		if got := readValue(t, p[0]); got != 0 {
			t.Fatalf("ear hears %d from a port it was never routed to", got)
		}
		if got := m.Describe(); got != "ear<-[] newcomer<-[]" {
			t.Fatalf("routes %q", got)
		}
	})
}

// sliceSource plays frames then ends; sliceSink records frames.
type sliceSource struct{ frames [][]int16 }

func (s *sliceSource) Read(f []int16) error {
	if len(s.frames) == 0 {
		return io.EOF
	}
	copy(f, s.frames[0])
	s.frames = s.frames[1:]
	return nil
}

type sliceSink struct{ got []int16 }

func (s *sliceSink) Write(f []int16) error {
	s.got = append(s.got, f[0])
	return nil
}

// TestAttachFilesRunOnTheMixClock: a file source and sink (not real time)
// are read and written once per tick; the source's end leaves silence;
// after detach neither is touched.
func TestAttachFilesRunOnTheMixClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "agent", "customer")
		m.SetRoutes(Routes{p[0]: {p[1]}, p[1]: {p[0]}})
		src := &sliceSource{frames: [][]int16{frameOf(11), frameOf(12), frameOf(13)}}
		sink := &sliceSink{}
		att := m.Attach(p[0], src, sink)
		go func() {
			for i := int16(1); ; i++ {
				if p[1].Write(frameOf(100+i)) != nil {
					return
				}
			}
		}()
		var heard []int16
		for range 5 {
			heard = append(heard, readValue(t, p[1]))
		}
		att.Detach()
		n := len(sink.got)
		time.Sleep(5 * media.FrameDuration)
		if len(sink.got) != n {
			t.Fatal("the sink was written after detach")
		}
		if want := []int16{11, 12, 13, 0, 0}; !equal(heard, want) {
			t.Fatalf("customer heard %v, want %v", heard, want)
		}
		if n < 4 || sink.got[0] != 101 || sink.got[1] != 102 {
			t.Fatalf("agent's sink got %v, want 101, 102, ...", sink.got)
		}
	})
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// rtSource is a device: Read blocks for one frame time.
type rtSource struct{ v int16 }

func (s *rtSource) Read(f []int16) error {
	time.Sleep(media.FrameDuration)
	copy(f, frameOf(s.v))
	return nil
}
func (s *rtSource) RealTime() bool { return true }

type rtSink struct{ got chan int16 }

func (s *rtSink) Write(f []int16) error {
	s.got <- f[0]
	time.Sleep(media.FrameDuration)
	return nil
}
func (s *rtSink) RealTime() bool { return true }

// TestAttachDevicesRunOnTheirOwnGoroutines: a real-time microphone and
// headset are served by their own goroutines and stop on detach.
func TestAttachDevicesRunOnTheirOwnGoroutines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "headset", "far")
		m.SetRoutes(Routes{p[0]: {p[1]}, p[1]: {p[0]}})
		sink := &rtSink{got: make(chan int16, 100)}
		att := m.Attach(p[0], &rtSource{v: 9}, sink)
		go func() {
			for p[1].Write(frameOf(4)) == nil {
			}
		}()
		heard := 0
		for heard != 9 {
			heard = int(readValue(t, p[1]))
		}
		for v := range sink.got {
			if v == 4 {
				break
			}
		}
		att.Detach()
		synctest.Wait()
	})
}

// TestTickAllocatesNothing: the mix path allocates nothing per frame.
func TestTickAllocatesNothing(t *testing.T) {
	m := New(Options{})
	defer m.Close()
	var ports []*Port
	for _, n := range []string{"agent", "customer", "supervisor"} {
		p, err := m.Add(n)
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, p)
	}
	a, c, s := ports[0], ports[1], ports[2]
	m.SetRoutes(Routes{a: {c, s}, c: {a, s}, s: {a, c}})
	f := frameOf(3)
	out := make([]int16, media.FrameSamples)
	allocs := testing.AllocsPerRun(200, func() {
		for _, p := range ports {
			p.offer(f)
		}
		m.tick()
		for _, p := range ports {
			p.takeOutput(out)
		}
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per tick, want 0", allocs)
	}
}

// stuckSource is a device whose Read blocks until it is closed (a sound
// server that suspended the source).
type stuckSource struct{ closed chan struct{} }

func (s *stuckSource) Read([]int16) error {
	<-s.closed
	return io.ErrClosedPipe
}
func (s *stuckSource) RealTime() bool { return true }
func (s *stuckSource) Close() error   { close(s.closed); return nil }

// TestStopThenCloseReleasesABlockedDevice: a device blocked in Read does
// not hold the attachment: Stop, close the device, and Wait returns.
func TestStopThenCloseReleasesABlockedDevice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "headset")
		dev := &stuckSource{closed: make(chan struct{})}
		att := m.Attach(p[0], dev, nil)
		time.Sleep(5 * media.FrameDuration)
		att.Stop()
		synctest.Wait() // still blocked in Read: Stop alone cannot end it
		_ = dev.Close()
		att.Wait()
	})
}
