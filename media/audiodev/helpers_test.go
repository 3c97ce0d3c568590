package audiodev

import (
	"io"
	"math"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
)

func requireOrSkip(t *testing.T, ok bool, what string) {
	testenv.Require(t, ok, what)
}

func isRealTime(v any) bool {
	rt, ok := v.(media.RealTime)
	return ok && rt.RealTime()
}

func tone(samples, rate int, hz, amp float64) []int16 {
	out := make([]int16, samples)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return out
}

func rms(x []int16) float64 {
	if len(x) == 0 {
		return 0
	}
	var acc float64
	for _, v := range x {
		acc += float64(v) * float64(v)
	}
	return math.Sqrt(acc / float64(len(x)))
}

// goertzel is the relative power of hz in x (0..1 of the total).
func goertzel(x []int16, rate int, hz float64) float64 {
	w := 2 * math.Pi * hz / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2, total float64
	for _, v := range x {
		f := float64(v)
		s0 := f + coeff*s1 - s2
		s2, s1 = s1, s0
		total += f * f
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2
	if total == 0 {
		return 0
	}
	return power / (total * float64(len(x)) / 2)
}

// toneShare is the median, over 20 ms blocks, of the share of x's power at
// hz. A loaded machine makes the jitter buffer conceal or drop a frame now
// and then; each shifts the tone's phase, which over one long window
// spreads its power out of a 1 Hz bin, while a block holds the tone whole.
func toneShare(x []int16, rate int, hz float64) float64 {
	block := rate / 50
	var shares []float64
	for i := 0; i+block <= len(x); i += block {
		shares = append(shares, goertzel(x[i:i+block], rate, hz))
	}
	if len(shares) == 0 {
		return 0
	}
	slices.Sort(shares)
	return shares[len(shares)/2]
}

func newTestSession(t *testing.T) *media.Session {
	t.Helper()
	s, err := media.NewSession(netip.MustParseAddr("127.0.0.1"), media.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func waitOrFail(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out after %v waiting for %s", d, what)
	}
}

// memSink records frames and signals when it has at least want samples.
type memSink struct {
	mu      sync.Mutex
	samples []int16
	want    int
	full    chan struct{}
	once    sync.Once
}

func newMemSink(want int) *memSink {
	return &memSink{want: want, full: make(chan struct{})}
}

func (m *memSink) Write(frame []int16) error {
	m.mu.Lock()
	m.samples = append(m.samples, frame...)
	n := len(m.samples)
	m.mu.Unlock()
	if n >= m.want {
		m.once.Do(func() { close(m.full) })
	}
	return nil
}

func (m *memSink) snapshot() []int16 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int16(nil), m.samples...)
}

// memSource plays samples once, then io.EOF.
type memSource struct {
	samples []int16
	pos     int
}

func (m *memSource) Read(frame []int16) error {
	if m.pos >= len(m.samples) {
		return io.EOF
	}
	n := copy(frame, m.samples[m.pos:])
	clear(frame[n:])
	m.pos += n
	return nil
}
