//go:build cgo

package dsp

import (
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/media"
)

// echoRoom is an agent's headset that leaks: what the Session plays into
// it (Write) comes back in the microphone (Read) through r, by sample
// index like two devices on one clock, so the echo follows whatever the
// jitter buffer played. The microphone hears nothing else.
type echoRoom struct {
	r      room
	mu     sync.Mutex
	played []float64
	read   int
	taps   []tap // r's impulse response (delay included), non-zero taps
}

type tap struct {
	at int
	g  float64
}

func newEchoRoom(r room) *echoRoom {
	imp := make([]float64, int(r.delay.Seconds()*SampleRate)+SampleRate*80/1000)
	imp[0] = 1
	e := &echoRoom{r: r}
	for k, h := range r.apply(imp, 9) {
		if h != 0 {
			e.taps = append(e.taps, tap{k, h})
		}
	}
	return e
}

func (e *echoRoom) Write(frame []int16) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range frame {
		e.played = append(e.played, float64(v)/32768)
	}
	return nil
}

func (e *echoRoom) Read(frame []int16) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range frame {
		j := e.read + i // mic sample j hears played sample j-k through tap k
		var s float64
		for _, tp := range e.taps {
			if k := j - tp.at; k >= 0 && k < len(e.played) {
				s += tp.g * e.played[k]
			}
		}
		frame[i] = clamp16(s * 32768)
	}
	e.read += len(frame)
	return nil
}

// recorder keeps what a Session plays.
type recorder struct {
	mu sync.Mutex
	x  []int16
}

func (r *recorder) Write(frame []int16) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.x = append(r.x, frame...)
	return nil
}

// echoCallHeard runs a real call over 127.0.0.1 (two media Sessions, Opus):
// the customer talks, the agent's headset leaks through r, the agent sends
// through cfg. It returns what the customer heard, and the agent's Stats.
func echoCallHeard(t *testing.T, customer []int16, r room, cfg Config) ([]int16, Stats) {
	t.Helper()
	opus, ok := media.LookupCodec("opus")
	if !ok || !media.CodecAvailable(opus) {
		t.Fatal("opus is not available in this build")
	}
	loopback := netip.MustParseAddr("127.0.0.1")
	cust, err := media.NewSession(loopback, media.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer cust.Close()
	agent, err := media.NewSession(loopback, media.SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer agent.Close()
	p, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	headset := newEchoRoom(r)
	heard := &recorder{}
	if err := agent.Start(media.SessionParams{Remote: cust.LocalAddr(), Codec: opus}, p.Capture(headset), p.Playback(headset)); err != nil {
		t.Fatal(err)
	}
	if err := cust.Start(media.SessionParams{Remote: agent.LocalAddr(), Codec: opus}, &frameSource{x: customer}, heard); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cust.SourceDone():
	case <-time.After(time.Duration(len(customer))*time.Second/SampleRate + 30*time.Second):
		t.Fatal("the customer's speech did not end")
	}
	time.Sleep(500 * time.Millisecond) // the last echo comes back
	cust.Close()
	agent.Close()
	heard.mu.Lock()
	defer heard.mu.Unlock()
	return slices.Clone(heard.x), p.Stats()
}

// Through a real call (media Sessions over 127.0.0.1, Opus, adaptive jitter
// buffers, 20 ms clocks) the agent's headset leaks the customer's voice
// 150 ms late at -10 dB: with the echo canceller the customer hears their
// own voice come back at least 20 dB lower than without it, in the median
// 20 ms frame of their speech after the first 4 s.
func TestEchoCancelledThroughACall(t *testing.T) {
	t.Parallel()
	customer := customerSpeech(t)
	customer = append(customer, customer...) // about 18 s
	in := toInt16(customer)
	r := room{150 * time.Millisecond, -10}
	off, _ := echoCallHeard(t, in, r, Config{})
	on, st := echoCallHeard(t, in, r, Config{EchoCancel: true})
	level := func(heard []int16) float64 {
		got := toAudio(heard)
		lags, err := audiocmp.Align(floats(customer), got, 1)
		if err != nil {
			// Too little echo left to find: the customer's own timeline.
			lags = audiocmp.Lags{150 * time.Millisecond}
		}
		l, err := audiocmp.MeasureLevels(floats(customer), got, lags, 4*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return l.SpeechMedianDBFS
	}
	lOff, lOn := level(off), level(on)
	t.Logf("%s through a call: the customer hears their voice back at %.1f dBFS without the canceller, %.1f with it (median 20 ms); %+v", r, lOff, lOn, st)
	if lOff-lOn < 20 {
		t.Errorf("echo through a call reduced %.1f dB, want >= 20", lOff-lOn)
	}
}
