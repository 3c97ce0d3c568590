//go:build cgo

package dsp

import (
	"math"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
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
	mu   sync.Mutex
	x    []int16
	grew chan struct{} // signalled on each frame
}

func (r *recorder) Write(frame []int16) error {
	r.mu.Lock()
	r.x = append(r.x, frame...)
	r.mu.Unlock()
	select {
	case r.grew <- struct{}{}:
	default:
	}
	return nil
}

// echoCallHeard runs a real call over 127.0.0.1 (two media Sessions, Opus):
// the customer talks, the agent's headset leaks through r, the agent sends
// through cfg. It returns what the customer heard, and the agent's Stats.
func echoCallHeard(t *testing.T, customer []int16, r room, cfg Config) ([]int16, Stats) {
	t.Helper()
	headset := newEchoRoom(r)
	return callHeard(t, "opus", customer, headset, headset, cfg, len(customer)+SampleRate/2) // and the last echo
}

// callHeard runs a call over 127.0.0.1 (two media Sessions, codec) for
// about samples: the customer plays customer and records; the agent sends
// mic through cfg and plays into speaker. It returns what the customer
// heard and the agent's Stats.
func callHeard(t *testing.T, codec string, customer []int16, mic media.Source, speaker media.Sink, cfg Config, samples int) ([]int16, Stats) {
	t.Helper()
	c, ok := media.LookupCodec(codec)
	if !ok || !media.CodecAvailable(c) {
		t.Fatalf("%s is not available in this build", codec)
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
	heard := &recorder{grew: make(chan struct{}, 1)}
	if err := agent.Start(media.SessionParams{Remote: cust.LocalAddr(), Codec: c}, p.Capture(mic), p.Playback(speaker)); err != nil {
		t.Fatal(err)
	}
	if err := cust.Start(media.SessionParams{Remote: agent.LocalAddr(), Codec: c}, &frameSource{x: customer}, heard); err != nil {
		t.Fatal(err)
	}
	for {
		heard.mu.Lock()
		got := len(heard.x)
		heard.mu.Unlock()
		if got >= samples {
			break
		}
		select {
		case <-heard.grew:
		case <-time.After(time.Duration(samples)*time.Second/SampleRate + 30*time.Second):
			t.Fatalf("the call carried %d of %d samples", got, samples)
		}
	}
	cust.Close()
	agent.Close()
	heard.mu.Lock()
	defer heard.mu.Unlock()
	return slices.Clone(heard.x), p.Stats()
}

// Through a real call (media Sessions over 127.0.0.1, Opus, adaptive jitter
// buffers, 20 ms clocks) the agent's headset leaks the customer's voice
// 150 ms late at -10 dB: with the echo canceller the customer hears their
// own voice come back at least 15 dB lower than without it, in the median
// 20 ms frame of their speech after the first 4 s (measured 33-53 dB; a
// machine loaded far beyond its cores makes the Sessions skip clock ticks,
// which moves the echo under the canceller: 14 dB was seen at load 20).
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
	if lOff-lOn < 15 {
		t.Errorf("echo through a call reduced %.1f dB, want >= 15", lOff-lOn)
	}
}

// Through a real call (media Sessions over 127.0.0.1, Opus), the agent's
// speech with steady fan noise at 10 dB SNR reaches the customer with at
// least 15 dB more speech-to-noise between words than the microphone had
// (median frames; measured 23 dB), and the speech no further from the clean speech; a
// TV or keyboard clicks behind the agent (which speexdsp leaves mostly in
// place) come through no clearly worse: their deterministic bounds are in
// denoise_test.go, and the codec and two clocks add a few dB of spread.
func TestNoiseSuppressedThroughACall(t *testing.T) {
	t.Parallel()
	speech := agentSpeech(t)
	d := duration(speech)
	for _, tc := range []struct {
		name            string
		noise           string
		minGain, maxLSD float64
		// steady: the noise fills every pause, so median frames measure
		// it (robust to frames measured out of place when a loaded
		// machine makes the Sessions skip clock ticks); sparse clicks
		// need the mean.
		steady bool
	}{
		{"fan", testenv.FanNoise(t, d), 15, 1, true},
		// The codec alone moves clean-ish speech's spectral distance by
		// 4-6 dB: no spectral bound against the microphone here.
		{"tv", testenv.TVNoise(t, d), -3, math.Inf(1), false},
		{"keyboard", testenv.KeyboardNoise(t, d, 1), -3, math.Inf(1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mic := toInt16(mix(t, speech, load(t, tc.noise), 10))
			in, err := audiocmp.MeasureLevels(floats(speech), toAudio(mic), nil, converge)
			if err != nil {
				t.Fatal(err)
			}
			lsdIn, err := audiocmp.SpectralDistance(floats(speech), toAudio(mic), nil, converge)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := callHeard(t, "opus", make([]int16, len(mic)), &frameSource{x: mic}, sinkFunc(func([]int16) error { return nil }),
				Config{NoiseSuppression: true}, len(mic)+SampleRate/2)
			heard := toAudio(got)
			// Part by part: a loaded machine makes the call's timeline slip.
			lags, err := audiocmp.Align(floats(speech), heard, 4)
			if err != nil {
				t.Fatal(err)
			}
			out, err := audiocmp.MeasureLevels(floats(speech), heard, lags, converge)
			if err != nil {
				t.Fatal(err)
			}
			lsdOut, err := audiocmp.SpectralDistance(floats(speech), heard, lags, converge)
			if err != nil {
				t.Fatal(err)
			}
			snrIn, snrOut := in.SNR(), out.SNR()
			if tc.steady {
				snrIn, snrOut = in.MedianSNR(), out.MedianSNR()
			}
			t.Logf("%s at 10 dB SNR: speech-to-noise between words at the microphone %.1f dB, heard through the call %.1f dB (medians %.1f, %.1f; means %.1f, %.1f); spectral distance from the clean speech %.2f -> %.2f dB",
				tc.name, snrIn, snrOut, in.MedianSNR(), out.MedianSNR(), in.SNR(), out.SNR(), lsdIn, lsdOut)
			if gain := snrOut - snrIn; gain < tc.minGain {
				t.Errorf("%s: speech-to-noise between words rose %.1f dB, want >= %g", tc.name, gain, tc.minGain)
			}
			if lsdOut > lsdIn+tc.maxLSD {
				t.Errorf("%s: spectral distance %.2f dB heard, %.2f at the microphone: the speech suffered", tc.name, lsdOut, lsdIn)
			}
		})
	}
}
