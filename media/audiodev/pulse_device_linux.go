//go:build linux

package audiodev

import (
	"fmt"
	"sync"

	"github.com/homeshore/homeshore/media"
	"github.com/jfreymuth/pulse"
)

// pulseStream is what capture and playback share: one client connection
// per device (so a slow stream never holds up another's messages), the
// ring and its shutdown.
type pulseStream struct {
	name   string
	client *pulse.Client
	ring   *sampleRing
	callMu sync.Mutex // one Read/Write at a time: they share the stall timer
	wait   stallWait
	once   sync.Once
}

func newPulseStream(name string, ringSamples int) pulseStream {
	return pulseStream{name: name, ring: newSampleRing(ringSamples), wait: newStallWait()}
}

func (s *pulseStream) alive() error {
	if err := pulseAlive(s.client); err != nil {
		return fmt.Errorf("PulseAudio stopped answering: %w", err)
	}
	return nil
}

// RealTime marks the stream as running on the sound server's clock.
func (s *pulseStream) RealTime() bool { return true }

// pulseCapture is a Pulse record stream: the client's reader goroutine
// pushes each chunk into the ring, Read takes 20 ms frames out.
type pulseCapture struct {
	pulseStream
	stream *pulse.RecordStream
}

func newPulseCapture(name string) *pulseCapture {
	return &pulseCapture{pulseStream: newPulseStream(name, pulseCaptureRingFrames*media.FrameSamples)}
}

// push is the record callback; it runs on the client's reader goroutine
// and must not block.
func (d *pulseCapture) push(s []int16) (int, error) {
	d.ring.push(s)
	return len(s), nil
}

// Read blocks until the next 20 ms of audio has been captured.
func (d *pulseCapture) Read(frame []int16) error {
	d.callMu.Lock()
	defer d.callMu.Unlock()
	if err := d.ring.takeFrame(frame, d.wait, pulseStallProbe, d.alive); err != nil {
		return fmt.Errorf("capture %q: %w", d.name, err)
	}
	return nil
}

func (d *pulseCapture) String() string { return fmt.Sprintf("Pulse(source %q 48k)", d.name) }

// Close stops recording and disconnects; safe to call twice.
func (d *pulseCapture) Close() error {
	d.once.Do(func() {
		d.ring.close()
		d.stream.Close()
		d.client.Close()
	})
	return nil
}

// pulsePlayback is a Pulse playback stream: the stream's goroutine pulls
// from the ring when the server asks for audio; Write blocks while the
// ring is full, so the server's clock paces the Session's playout.
type pulsePlayback struct {
	pulseStream
	stream *pulse.PlaybackStream
}

func newPulsePlayback(name string) *pulsePlayback {
	return &pulsePlayback{pulseStream: newPulseStream(name, pulsePlayRingFrames*media.FrameSamples)}
}

// pull is the playback callback; it answers at once (silence for what the
// call has not produced yet, or once closed: returning an error would
// make the library change the stream's state on its own goroutine while
// Close does too).
func (d *pulsePlayback) pull(out []int16) (int, error) {
	if !d.ring.pull(out) {
		clear(out)
	}
	return len(out), nil
}

// Write queues one frame, blocking until the server has taken enough of
// the previous ones.
func (d *pulsePlayback) Write(frame []int16) error {
	d.callMu.Lock()
	defer d.callMu.Unlock()
	if err := d.ring.putFrame(frame, d.wait, pulseStallProbe, d.alive); err != nil {
		return fmt.Errorf("playback %q: %w", d.name, err)
	}
	return nil
}

func (d *pulsePlayback) String() string { return fmt.Sprintf("Pulse(sink %q 48k)", d.name) }

// Close stops playback and disconnects; safe to call twice. Audio still
// in the server's buffer (at most pulsePlaybackLatency) is dropped.
func (d *pulsePlayback) Close() error {
	d.once.Do(func() {
		d.ring.close()
		d.stream.Close()
		d.client.Close()
	})
	return nil
}
