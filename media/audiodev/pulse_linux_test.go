//go:build linux

package audiodev

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
)

// pulseNullSink is a fresh null sink (with a remapped microphone) that the
// test owns; its monitor records what is played to it.
func pulseNullSink(t *testing.T, name string) testenv.NullDevice {
	t.Helper()
	t.Setenv(pulseBackendEnv, "")
	return testenv.PulseDevice(t, name, nil, nil)
}

// playAndCapture plays frames of a 1 kHz tone to play while reading as
// many frames from capt; it returns what was captured.
func playAndCapture(t *testing.T, play media.SinkCloser, capt media.SourceCloser, frames int) []int16 {
	t.Helper()
	sig := tone(frames*media.FrameSamples, media.SampleRate, 1000, 8000)
	done := make(chan error, 1)
	go func() {
		for i := range frames {
			if err := play.Write(sig[i*media.FrameSamples : (i+1)*media.FrameSamples]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	got := make([]int16, 0, frames*media.FrameSamples)
	frame := make([]int16, media.FrameSamples)
	for range frames {
		if err := capt.Read(frame); err != nil {
			t.Fatal(err)
		}
		got = append(got, frame...)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return got
}

// onset is the index of the first sample louder than a quarter of amp.
func onset(x []int16, amp int16) int {
	for i, v := range x {
		if v > amp/4 || v < -amp/4 {
			return i
		}
	}
	return -1
}

func TestPulsePlaybackComesBackFromTheMonitor(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_loop")
	capt, err := OpenCapture(dev.Sink + ".monitor")
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	play, err := OpenPlayback(dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	pp, ok := play.(*pulsePlayback)
	if !ok {
		t.Fatalf("OpenPlayback gave %T, want the Pulse backend", play)
	}
	if _, ok := capt.(*pulseCapture); !ok {
		t.Fatalf("OpenCapture gave %T, want the Pulse backend", capt)
	}
	if !isRealTime(play) || !isRealTime(capt) {
		t.Fatal("Pulse devices do not report real time")
	}
	const frames = 100 // 2 s
	got := playAndCapture(t, play, capt, frames)
	tail := got[len(got)/2:]
	share := toneShare(tail, media.SampleRate, 1000)
	delay := onset(got, 8000)
	t.Logf("%v -> %v: tone after %.0f ms (capture-side), rms %.0f, 1 kHz share %.2f, padded %d samples after start",
		play, capt, float64(delay)*1000/media.SampleRate, rms(tail), share, pp.ring.lostSamples())
	if rms(tail) < 3000 || share < 0.8 {
		t.Fatalf("the tone did not come back: rms %.0f, 1 kHz share %.2f", rms(tail), share)
	}
	if delay < 0 || delay > media.SampleRate/4 {
		t.Fatalf("the tone came back after %d samples, want under 250 ms", delay)
	}
	for _, c := range []interface{ Close() error }{play, capt, play, capt} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := play.Write(got[:media.FrameSamples]); !errors.Is(err, ErrDeviceClosed) {
		t.Fatalf("Write after Close: %v, want ErrDeviceClosed", err)
	}
	if err := capt.Read(got[:media.FrameSamples]); !errors.Is(err, ErrDeviceClosed) {
		t.Fatalf("Read after Close: %v, want ErrDeviceClosed", err)
	}
}

// PULSE_SINK / PULSE_SOURCE route the default device, as for libpulse
// clients: the tone reaches sink A, not sink B.
func TestPulseEnvRoutesDefaultDevice(t *testing.T) {
	a := pulseNullSink(t, "hs_pulse_a")
	b := pulseNullSink(t, "hs_pulse_b")
	t.Setenv("PULSE_SINK", a.Sink)
	for _, tc := range []struct {
		source string
		want   bool
	}{{a.Sink + ".monitor", true}, {b.Sink + ".monitor", false}} {
		t.Setenv("PULSE_SOURCE", tc.source)
		capt, err := OpenCapture("")
		if err != nil {
			t.Fatal(err)
		}
		play, err := OpenPlayback("")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(play.(*pulsePlayback).String(), a.Sink) || !strings.Contains(capt.(*pulseCapture).String(), tc.source) {
			t.Fatalf("opened %v and %v", play, capt)
		}
		got := playAndCapture(t, play, capt, 50)
		_ = play.Close()
		_ = capt.Close()
		level := rms(got[len(got)/2:])
		t.Logf("PULSE_SINK=%s PULSE_SOURCE=%s: rms %.0f", a.Sink, tc.source, level)
		if heard := level > 3000; heard != tc.want {
			t.Fatalf("PULSE_SOURCE=%s heard the tone: %v, want %v (rms %.0f)", tc.source, heard, tc.want, level)
		}
	}
}

func TestPulseMissingDeviceIsAnError(t *testing.T) {
	testenv.RequirePulse(t)
	t.Setenv(pulseBackendEnv, "")
	if _, err := OpenCapture("hs_no_such_mic"); !errors.Is(err, ErrDeviceNotFound) || !strings.Contains(err.Error(), "hs_no_such_mic") {
		t.Fatalf("OpenCapture of a missing source: %v", err)
	}
	if _, err := OpenPlayback("hs_no_such_sink"); !errors.Is(err, ErrDeviceNotFound) || !strings.Contains(err.Error(), "hs_no_such_sink") {
		t.Fatalf("OpenPlayback of a missing sink: %v", err)
	}
	t.Setenv("PULSE_SINK", "hs_env_sink")
	if _, err := OpenPlayback(""); !errors.Is(err, ErrDeviceNotFound) || !strings.Contains(err.Error(), "PULSE_SINK") {
		t.Fatalf("OpenPlayback with a missing PULSE_SINK: %v", err)
	}
}

func TestPulseListDevices(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_list")
	t.Setenv("PULSE_SINK", dev.Sink)
	devs, err := ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]DeviceInfo{}
	for _, d := range devs {
		byID[d.ID] = d
		if d.HostAPI != pulseHostAPI {
			t.Fatalf("device %+v not from Pulse", d)
		}
	}
	sink, mon, mic := byID[dev.Sink], byID[dev.Sink+".monitor"], byID[dev.Source]
	if sink.Outputs == 0 || sink.Inputs != 0 || !sink.DefaultOutput || sink.Name != "hs_pulse_list" {
		t.Fatalf("sink: %+v", sink)
	}
	if mon.Inputs == 0 || !mon.Monitor {
		t.Fatalf("monitor: %+v", mon)
	}
	if mic.Inputs == 0 || mic.Monitor || mic.Name != "hs_pulse_list microphone" {
		t.Fatalf("remapped microphone: %+v", mic)
	}
}

// Close joins everything the device started: the client's reader and the
// playback stream's goroutine.
func TestPulseCloseLeavesNoGoroutines(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_leak")
	before := runtime.NumGoroutine()
	for range 3 {
		play, err := OpenPlayback(dev.Sink)
		if err != nil {
			t.Fatal(err)
		}
		capt, err := OpenCapture(dev.Source)
		if err != nil {
			t.Fatal(err)
		}
		_ = playAndCapture(t, play, capt, 5)
		_ = play.Close()
		_ = capt.Close()
	}
	// The library's goroutines see their socket closed asynchronously;
	// give them a bounded moment, as goleak does.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after closing:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// A full call: B plays what it receives to a null sink and sends what it
// captures from that sink's microphone back to A, which records it.
func TestPulseSessionWithDevices(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_call")
	codec, _ := media.LookupCodec("pcmu")
	play, err := OpenPlayback(dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	capt, err := OpenCapture(dev.Source)
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	a, b := newTestSession(t), newTestSession(t)
	rec := newMemSink(3 * media.SampleRate)
	if err := a.Start(media.SessionParams{Remote: b.LocalAddr(), Codec: codec}, &memSource{samples: tone(10*media.SampleRate, media.SampleRate, 1000, 8000)}, rec); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(media.SessionParams{Remote: a.LocalAddr(), Codec: codec}, capt, play); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, rec.full, 10*time.Second, "three seconds of looped-back audio")
	got := rec.snapshot()
	tail := got[len(got)-media.SampleRate:]
	share := toneShare(tail, media.SampleRate, 1000)
	t.Logf("looped back: rms %.0f, 1 kHz share %.2f, playback padded %d samples; B %+v",
		rms(tail), share, play.(*pulsePlayback).ring.lostSamples(), b.Stats())
	if rms(tail) < 1000 || share < 0.5 {
		t.Fatalf("tone did not come back through the Pulse devices: rms %.0f, share %.2f", rms(tail), share)
	}
	if err := b.SetSource(nil); err != nil {
		t.Fatal(err)
	}
	if err := capt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.SetSink(nil); err != nil {
		t.Fatal(err)
	}
	if err := play.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

// OpenMonitor records what an output plays: the sink's monitor source.
func TestPulseOpenMonitor(t *testing.T) {
	dev := pulseNullSink(t, "hs_pulse_mon")
	play, err := OpenPlayback(dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	mon, err := OpenMonitor(dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	if s := mon.(*pulseCapture).String(); !strings.Contains(s, dev.Sink+".monitor") {
		t.Fatalf("monitor opened %s", s)
	}
	got := playAndCapture(t, play, mon, 50)
	if level := rms(got[len(got)/2:]); level < 3000 {
		t.Fatalf("the monitor did not hear the tone: rms %.0f", level)
	}
	if _, err := OpenMonitor("hs_no_such_sink"); !errors.Is(err, ErrDeviceNotFound) {
		t.Fatalf("monitor of a missing sink: %v", err)
	}
}
