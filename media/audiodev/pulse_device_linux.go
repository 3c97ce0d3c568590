//go:build linux

package audiodev

import (
	"fmt"
	"sync"
	"time"

	"github.com/homeshore/homeshore/media"
	"github.com/jfreymuth/pulse"
	"github.com/jfreymuth/pulse/proto"
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

// Latency is how old the newest captured sample is when Read returns it:
// the source's own latency as the server reports it (a monitor's includes
// its sink's), what the server and our ring still hold. A frame's first
// sample is a frame older.
func (d *pulseCapture) Latency() time.Duration {
	var rep proto.GetRecordLatencyReply
	if err := d.client.RawRequest(&proto.GetRecordLatency{StreamIndex: d.stream.StreamIndex(), Time: proto.Time{}}, &rep); err != nil {
		return 0
	}
	held := time.Duration(max(rep.WriteIndex-rep.ReadIndex, 0)) * time.Second / (2 * media.SampleRate)
	return time.Duration(rep.Latency+rep.MonitorLatency)*time.Microsecond + held +
		time.Duration(d.ring.len())*time.Second/media.SampleRate
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

// pulsePlayback is a Pulse playback stream. It plays in one of two ways:
//   - pulling (Play, what a call's Session uses): the stream's goroutine
//     reads the next frame from the source when the server asks for audio,
//     so the only buffer between the call and the sink is the server's,
//     kept as small as the machine's scheduling allows (pullGovernor);
//   - pushing (Write, for tones and checks): the stream's goroutine takes
//     from the ring, and Write blocks while the ring is full, so the
//     server's clock paces the writer; the server keeps
//     pulsePlaybackLatency, enough for a writer that is scheduled late.
type pulsePlayback struct {
	pulseStream
	stream *pulse.PlaybackStream

	playMu sync.Mutex // one Play at a time

	srcMu sync.Mutex // held by the callback while it reads src
	src   media.Source
	frame [media.FrameSamples]int16 // the frame being handed to the server
	off   int                       // samples of frame already handed over
	gov   pullGovernor
	late  uint64 // source reads that failed (silence played)
	dry   uint64 // underruns counted by governors of earlier Plays

	// The tuner goroutine changes the server's buffer when the governor
	// asks (never the callback: the reply comes through the goroutine
	// that hands the callback its requests).
	retune    chan time.Duration
	tunerQuit chan struct{}
	tunerDone chan struct{}
}

func newPulsePlayback(name string) *pulsePlayback {
	d := &pulsePlayback{pulseStream: newPulseStream(name, pulsePlayRingFrames*media.FrameSamples),
		retune: make(chan time.Duration, 1), tunerQuit: make(chan struct{}), tunerDone: make(chan struct{})}
	d.off = len(d.frame)
	return d
}

// pull is the playback callback; it answers at once (silence for what the
// call has not produced yet, or once closed: returning an error would
// make the library change the stream's state on its own goroutine while
// Close does too).
func (d *pulsePlayback) pull(out []int16) (int, error) {
	d.srcMu.Lock()
	if d.src != nil {
		if want, ok := d.gov.request(time.Now(), time.Duration(len(out))*time.Second/media.SampleRate); ok {
			select {
			case d.retune <- want:
			default:
				// The tuner is busy; it picks up the governor's
				// latest figure when done.
			}
		}
		d.fill(out)
		d.srcMu.Unlock()
		return len(out), nil
	}
	d.srcMu.Unlock()
	if !d.ring.pull(out) {
		clear(out)
	}
	return len(out), nil
}

// fill hands out what is left of the current frame, then reads frames
// from the source; srcMu is held.
func (d *pulsePlayback) fill(out []int16) {
	for len(out) > 0 {
		if d.off == len(d.frame) {
			if err := d.src.Read(d.frame[:]); err != nil {
				clear(d.frame[:])
				d.late++
			}
			d.off = 0
		}
		n := copy(out, d.frame[d.off:])
		d.off += n
		out = out[n:]
	}
}

// tune applies the governor's buffer sizes until Close.
func (d *pulsePlayback) tune() {
	defer close(d.tunerDone)
	for {
		select {
		case <-d.tunerQuit:
			return
		case <-d.retune:
		}
		d.srcMu.Lock()
		want, pulling := d.gov.cur, d.src != nil
		d.srcMu.Unlock()
		if !pulling {
			continue
		}
		held, err := d.setBuffer(want, pullRequest)
		d.srcMu.Lock()
		if err == nil && d.src != nil {
			d.gov.granted(held)
		}
		d.srcMu.Unlock()
	}
}

// Play makes the server's requests read src (see media.Player); nil goes
// back to the ring (silence until something is written). While a source
// plays, the server's buffer follows the governor, starting small; Play(nil)
// gives it back the pushing size.
func (d *pulsePlayback) Play(src media.Source) error {
	d.playMu.Lock()
	defer d.playMu.Unlock()
	if err := d.ring.usable(); err != nil {
		return fmt.Errorf("playback %q: %w", d.name, err)
	}
	d.srcMu.Lock()
	was := d.src != nil
	d.src, d.off = nil, len(d.frame)
	d.dry += d.gov.dry
	d.gov.dry = 0
	d.srcMu.Unlock()
	d.ring.drop()
	// Not under srcMu: the reply comes through the client's reader,
	// which may be waiting for the callback to take a request.
	if src == nil {
		if was {
			if _, err := d.setBuffer(pulsePlaybackLatency, pulsePushRequest); err != nil {
				return fmt.Errorf("playback %q: give the buffer back for writing: %w", d.name, err)
			}
		}
		return nil
	}
	gov := newPullGovernor()
	held, err := d.setBuffer(gov.cur, pullRequest)
	if err != nil {
		return fmt.Errorf("playback %q: set a small buffer for pulling: %w", d.name, err)
	}
	gov.granted(held)
	d.srcMu.Lock()
	d.src, d.gov = src, gov
	d.srcMu.Unlock()
	return nil
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

// Latency is how long a sample handed to the server now takes to be
// played: what the server holds for the stream and the sink's own latency
// (what the server reports), and when writing, the ring.
func (d *pulsePlayback) Latency() time.Duration {
	var rep proto.GetPlaybackLatencyReply
	if err := d.client.RawRequest(&proto.GetPlaybackLatency{StreamIndex: d.stream.StreamIndex(), Time: proto.Time{}}, &rep); err != nil {
		return 0
	}
	held := time.Duration(max(rep.WriteIndex-rep.ReadIndex, 0)) * time.Second / (2 * media.SampleRate)
	lat := time.Duration(rep.Latency)*time.Microsecond + held
	d.srcMu.Lock()
	pulling := d.src != nil
	d.srcMu.Unlock()
	if !pulling {
		lat += time.Duration(d.ring.len()) * time.Second / media.SampleRate
	}
	return lat
}

// Underruns counts the times the server ran out of audio while pulling
// (the machine did not schedule it or us in time: a gap was heard).
func (d *pulsePlayback) Underruns() uint64 {
	d.srcMu.Lock()
	defer d.srcMu.Unlock()
	return d.dry + d.gov.dry
}

func (d *pulsePlayback) String() string { return fmt.Sprintf("Pulse(sink %q 48k)", d.name) }

// Close stops playback and disconnects; safe to call twice. Audio still
// in the server's buffer is dropped. A Play source is no longer read once
// Close returns.
func (d *pulsePlayback) Close() error {
	d.once.Do(func() {
		d.ring.close()
		d.srcMu.Lock()
		d.src = nil
		d.srcMu.Unlock()
		close(d.tunerQuit)
		<-d.tunerDone
		d.stream.Close()
		d.client.Close()
	})
	return nil
}
