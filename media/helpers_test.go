package media

import (
	"github.com/homeshore/homeshore/internal/testenv"
	"math"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

func requireOrSkip(t *testing.T, ok bool, what string) {
	testenv.Require(t, ok, what)
}

// speechLike is a deterministic test signal with a syllable rhythm: a
// gliding harmonic tone, amplitude-modulated at 4 Hz with pauses, so
// envelopes can be correlated between what was sent and what arrived.
func speechLike(samples, rate int) []int16 {
	out := make([]int16, samples)
	phase := 0.0
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 180 + 60*math.Sin(2*math.Pi*0.7*t)
		phase += 2 * math.Pi * f0 / float64(rate)
		v := 0.5*math.Sin(phase) + 0.3*math.Sin(2*phase) + 0.15*math.Sin(3*phase)
		env := math.Max(0, math.Sin(2*math.Pi*2*t)) // 4 bursts/s with gaps
		if int(t*1.3)%3 == 2 {
			env *= 0.1 // a longer pause every few syllables
		}
		out[i] = int16(12000 * env * v)
	}
	return out
}

func tone(samples, rate int, hz, amp float64) []int16 {
	out := make([]int16, samples)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return out
}

// writeTestWAV writes mono 16-bit PCM at rate through WAVSink's header
// code (patched for the rate) so the reader is tested on files we know.
func writeTestWAV(t *testing.T, path string, rate, channels int, samples []int16) {
	t.Helper()
	h := wavHeader(int64(len(samples)))
	// Patch rate/channels into the 48 kHz mono header.
	put32 := func(off int, v uint32) {
		h[off], h[off+1], h[off+2], h[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	put16 := func(off int, v uint16) { h[off], h[off+1] = byte(v), byte(v>>8) }
	put16(22, uint16(channels))
	put32(24, uint32(rate*channels*2))
	put32(24, uint32(rate))
	put32(28, uint32(rate*channels*2))
	put16(32, uint16(channels*2))
	frames := len(samples) / channels
	put32(40, uint32(frames*channels*2))
	put32(4, uint32(36+frames*channels*2))
	b := append([]byte{}, h...)
	for _, s := range samples[:frames*channels] {
		b = append(b, byte(uint16(s)), byte(uint16(s)>>8))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// memSink records frames and signals when it has at least want samples.
type memSink struct {
	mu      sync.Mutex
	cond    *sync.Cond
	samples []int16
	want    int
	full    chan struct{}
	once    sync.Once
}

// waitFor blocks until the sink holds n samples (fails after 10 s).
func (m *memSink) waitFor(t *testing.T, n int) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		m.mu.Lock()
		for len(m.samples) < n {
			m.cond.Wait()
		}
		m.mu.Unlock()
		close(done)
	}()
	waitOrFail(t, done, 10*time.Second, "recorded audio")
}

func newMemSink(want int) *memSink {
	m := &memSink{want: want, full: make(chan struct{})}
	m.cond = sync.NewCond(&m.mu)
	return m
}

func (m *memSink) Write(frame []int16) error {
	m.mu.Lock()
	m.samples = append(m.samples, frame...)
	n := len(m.samples)
	m.cond.Broadcast()
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
		return errEOF
	}
	n := copy(frame, m.samples[m.pos:])
	clear(frame[n:])
	m.pos += n
	return nil
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

// envelope is the RMS per 10 ms block.
func envelope(x []int16, rate int) []float64 {
	block := rate / 100
	var env []float64
	for i := 0; i+block <= len(x); i += block {
		env = append(env, rms(x[i:i+block]))
	}
	return env
}

// bestCorrelation is the highest normalized cross-correlation of a and b
// over lags 0..maxLag of b behind a, and the lag where it is found.
func bestCorrelation(a, b []float64, maxLag int) (best float64, lag int) {
	best = -2
	for l := 0; l <= maxLag && l < len(b); l++ {
		n := min(len(a), len(b)-l)
		if n < 10 {
			break
		}
		c := correlate(a[:n], b[l:l+n])
		if c > best {
			best, lag = c, l
		}
	}
	return best, lag
}

func correlate(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var num, da, db float64
	for i := range a {
		x, y := a[i]-ma, b[i]-mb
		num += x * y
		da += x * x
		db += y * y
	}
	if da == 0 || db == 0 {
		return 0
	}
	return num / math.Sqrt(da*db)
}

func toFloat(x []int16) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func msDur(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

func itoa(i int) string { return strconv.Itoa(i) }

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
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

// segmentedCorrelation correlates a and b in segments, each at its own
// best lag, and returns the mean. A receiver starved of CPU conceals a
// frame now and then, which shifts the rest of the recording: one global
// lag would then measure the scheduler, not the audio path.
func segmentedCorrelation(a, b []float64, segments, maxLag int) float64 {
	size := len(a) / segments
	if size < 10 {
		c, _ := bestCorrelation(a, b, maxLag)
		return c
	}
	var sum float64
	var used int
	for i := 0; i < segments; i++ {
		start := i * size
		if start >= len(b) {
			return -1
		}
		if flat(a[start : start+size]) {
			continue // a silent stretch correlates with nothing
		}
		c, _ := bestCorrelation(a[start:start+size], b[start:], maxLag)
		sum += c
		used++
	}
	if used == 0 {
		return -1
	}
	return sum / float64(used)
}

func flat(x []float64) bool {
	lo, hi := x[0], x[0]
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	return hi-lo < 1
}
