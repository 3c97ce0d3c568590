//go:build cgo

package audiodev

import (
	"github.com/homeshore/homeshore/media"
	"os/exec"
	"testing"
	"time"
)

func pulseAudioRunning() bool {
	return exec.Command("pactl", "info").Run() == nil
}

// Plays a 1 kHz tone to the default output and records the default input,
// which scripts/with-test-env.sh wires to the output's monitor; on Linux
// through the native Pulse backend, and through PortAudio when forced.
func TestDevicesLoopbackThroughPulseAudio(t *testing.T) {
	for _, backend := range []string{"", "portaudio"} {
		t.Run("backend="+backend, func(t *testing.T) {
			t.Setenv("HOMESHORE_AUDIO_BACKEND", backend)
			testDevicesLoopback(t, backend == "portaudio")
		})
	}
}

func testDevicesLoopback(t *testing.T, wantPortAudio bool) {
	requireOrSkip(t, pulseAudioRunning(), "PulseAudio (run under scripts/with-test-env.sh)")
	devs, err := ListDevices()
	if err != nil {
		t.Fatal(err)
	}
	var haveIn, haveOut bool
	for _, d := range devs {
		haveIn = haveIn || (d.DefaultInput && d.Inputs > 0)
		haveOut = haveOut || (d.DefaultOutput && d.Outputs > 0)
	}
	if !haveIn || !haveOut {
		t.Fatalf("no default input/output among %+v", devs)
	}
	play, err := OpenPlayback("")
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	capt, err := OpenCapture("")
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	if !isRealTime(play) || !isRealTime(capt) {
		t.Fatal("devices do not report real time")
	}
	if _, isPA := play.(*playbackDevice); isPA != wantPortAudio {
		t.Fatalf("playback device %T: PortAudio %v, want %v", play, isPA, wantPortAudio)
	}

	const frames = 75 // 1.5 s
	sig := tone(frames*media.FrameSamples, media.SampleRate, 1000, 8000)
	done := make(chan error, 1)
	go func() {
		for i := 0; i < frames; i++ {
			if err := play.Write(sig[i*media.FrameSamples : (i+1)*media.FrameSamples]); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	var got []int16
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
	// The monitor lags by the output latency: judge the second half.
	tail := got[len(got)/2:]
	share := toneShare(tail, media.SampleRate, 1000)
	t.Logf("captured rms %.0f, 1 kHz share %.2f", rms(tail), share)
	if rms(tail) < 1000 || share < 0.5 {
		t.Fatalf("the tone did not come back: rms %.0f, 1 kHz share %.2f", rms(tail), share)
	}
	if err := play.Close(); err != nil {
		t.Fatal(err)
	}
	if err := play.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := play.Write(frame); err == nil {
		t.Fatal("Write after Close succeeded")
	}
}

func TestOpenDeviceByUnknownName(t *testing.T) {
	requireOrSkip(t, pulseAudioRunning(), "PulseAudio (run under scripts/with-test-env.sh)")
	if _, err := OpenCapture("no such microphone"); err == nil {
		t.Fatal("unknown device opened")
	}
}

// A full loop through real devices: A sends a tone; B plays what it
// receives on the default output (playout paced by the device) and sends
// what it captures from the default input (the output's monitor, read by
// the capture goroutine) back to A, which records it.
func TestSessionWithDevices(t *testing.T) {
	requireOrSkip(t, pulseAudioRunning(), "PulseAudio (run under scripts/with-test-env.sh)")
	codec, _ := media.LookupCodec("pcmu")
	play, err := OpenPlayback("")
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	capt, err := OpenCapture("")
	if err != nil {
		t.Fatal(err)
	}
	defer capt.Close()
	a, b := newTestSession(t), newTestSession(t)
	// Devices take up to about 2 s to start on a loaded machine: record 4 s
	// and judge the last second.
	rec := newMemSink(4 * media.SampleRate)
	if err := a.Start(media.SessionParams{Remote: b.LocalAddr(), Codec: codec}, &memSource{samples: tone(10*media.SampleRate, media.SampleRate, 1000, 8000)}, rec); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(media.SessionParams{Remote: a.LocalAddr(), Codec: codec}, capt, play); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, rec.full, 15*time.Second, "four seconds of looped-back audio")
	got := rec.snapshot()
	tail := got[len(got)-media.SampleRate:]
	share := toneShare(tail, media.SampleRate, 1000)
	t.Logf("looped back: rms %.0f, 1 kHz share %.2f; A %+v; B %+v", rms(tail), share, a.Stats(), b.Stats())
	if rms(tail) < 1000 || share < 0.5 {
		t.Fatalf("tone did not come back through the devices: rms %.0f, share %.2f", rms(tail), share)
	}
	if st := b.Stats(); st.PacketsSent < 150 {
		t.Fatalf("B sent only %d packets in 4 s", st.PacketsSent)
	}
	// Swapping the device out stops its reader, so it can be closed.
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
