package mixer

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/homeshore/homeshore/media"
)

// countSource is a pulled source: each Read gives the next value and
// counts.
type countSource struct {
	mu    sync.Mutex
	next  int16
	reads int
}

func (s *countSource) Read(f []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	s.next++
	copy(f, frameOf(s.next))
	return nil
}

func (s *countSource) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// A session's playout handed to its port (Play) is read by the tick itself,
// once a tick, and its frame is heard in that same tick; Play(nil) stops
// the reads.
func TestPulledPortIsReadByTheTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "leg", "ear")
		m.SetRoutes(Routes{p[1]: {p[0]}})
		src := &countSource{}
		if err := p[0].Play(src); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 5; i++ {
			if got := readValue(t, p[1]); got != int16(i) {
				t.Fatalf("tick %d: ear hears %d, want %d", i, got, i)
			}
		}
		if err := p[0].Play(nil); err != nil {
			t.Fatal(err)
		}
		n := src.count()
		time.Sleep(5 * media.FrameDuration)
		if src.count() != n {
			t.Fatal("the source was read after Play(nil)")
		}
		m.Remove(p[0])
		if err := p[0].Play(src); err != ErrRemoved {
			t.Fatalf("Play on a removed port: %v", err)
		}
	})
}

// fakeHeadset is a pulling device whose callback the test runs.
type fakeHeadset struct {
	mu  sync.Mutex
	src media.Source
}

func (h *fakeHeadset) Play(src media.Source) error {
	h.mu.Lock()
	h.src = src
	h.mu.Unlock()
	return nil
}

func (h *fakeHeadset) Write([]int16) error { panic("a pulling headset was written to") }
func (h *fakeHeadset) RealTime() bool      { return true }

// pull runs the device callback once; false when nothing plays.
func (h *fakeHeadset) pull(f []int16) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.src == nil {
		return false
	}
	_ = h.src.Read(f)
	return true
}

// A pulling headset ticks the mix from its callback: what a leg plays in
// that tick is what the headset gets (no queue between them), the mixer's
// own clock stays out of it while the headset runs, takes over when the
// headset stalls, and hands back when it resumes; Stop takes the source
// back from the headset.
func TestPullingHeadsetTicksTheMix(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "agent", "customer")
		m.SetRoutes(Routes{p[0]: {p[1]}, p[1]: {p[0]}})
		leg := &countSource{}
		if err := p[1].Play(leg); err != nil {
			t.Fatal(err)
		}
		hs := &fakeHeadset{}
		att := m.Attach(p[0], nil, hs)
		f := make([]int16, media.FrameSamples)
		for i := 1; i <= 50; i++ {
			time.Sleep(media.FrameDuration)
			if !hs.pull(f) {
				t.Fatal("the headset was given nothing to pull")
			}
			if int(f[0]) != leg.count() {
				t.Fatalf("pull %d: headset got %d, the leg's frame of this tick is %d", i, f[0], leg.count())
			}
		}
		if n := leg.count(); n != 50 {
			t.Fatalf("the leg was read %d times for 50 headset pulls", n)
		}
		// The headset stalls for 200 ms: the mixer's clock keeps the leg
		// going (its other listeners, a supervisor, still hear it).
		time.Sleep(200 * time.Millisecond)
		if n := leg.count() - 50; n < 5 || n > 10 {
			t.Fatalf("the leg was read %d times in a 200 ms stall, want 7 or so", n)
		}
		before := leg.count()
		for range 50 {
			time.Sleep(media.FrameDuration)
			hs.pull(f)
		}
		if n := leg.count() - before; n < 50 || n > 52 {
			t.Fatalf("%d leg reads for 50 pulls after the stall: the clock did not hand back", n)
		}
		att.Detach()
		if hs.pull(f) {
			t.Fatal("the headset still ticks the mix after Stop")
		}
	})
}

// A capture device's frame that came early once stays queued behind the
// one each tick takes; after trimWindow ticks it is dropped, so the mixer
// holds at most the frame of the current tick.
func TestOfferedBacklogIsTrimmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New(Options{})
		defer m.Close()
		p := addPorts(t, m, "mic", "leg")
		m.SetRoutes(Routes{p[1]: {p[0]}})
		time.Sleep(media.FrameDuration / 2) // between ticks
		v := int16(1)
		p[0].offer(frameOf(v))
		for i := range 3 * trimWindow {
			v++
			p[0].offer(frameOf(v))
			got := readValue(t, p[1])
			behind := v - got
			switch {
			case i < trimWindow-1 && behind != 1:
				t.Fatalf("tick %d: heard %d, latest %d: want a frame behind until the trim", i, got, v)
			case i >= trimWindow && behind != 0:
				t.Fatalf("tick %d: heard %d, latest %d: still behind after the trim", i, got, v)
			}
			time.Sleep(media.FrameDuration / 2) // mid-way to the next tick
		}
		if d := p[0].Stats().Dropped; d != 1 {
			t.Fatalf("dropped %d frames, want the 1 extra", d)
		}
	})
}
