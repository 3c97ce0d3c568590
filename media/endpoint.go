package media

import (
	"io"
	"time"
)

// Source produces 48 kHz mono frames of exactly FrameSamples. It returns
// io.EOF when finished. Devices block in real time; files do not.
type Source interface {
	Read(frame []int16) error
}

// Sink consumes 48 kHz mono frames of exactly FrameSamples.
type Sink interface {
	Write(frame []int16) error
}

// SourceCloser is a Source the caller must close (devices, files).
type SourceCloser interface {
	Source
	io.Closer
}

// SinkCloser is a Sink the caller must close (devices, files).
type SinkCloser interface {
	Sink
	io.Closer
}

// RealTime is implemented by sources and sinks that run on their own
// hardware clock (audio devices): their Read/Write block until the device
// has the next frame. The Session then lets a real-time sink drive playout
// and keeps a real-time source from building up latency. Anything else
// (files, generators) is paced by the Session's 20 ms clock.
type RealTime interface {
	RealTime() bool
}

// Player is a playback device that pulls: its own callback reads each
// frame from the Source given to Play at the moment the device needs it,
// so nothing but the device's own buffer sits between the call and the
// ear. The Session plays through Play whenever its sink is a Player (and
// through Write otherwise); the jitter buffer is then the only elastic
// buffer on the way.
type Player interface {
	// Play makes the device read src (Read must not block: it runs on the
	// device's callback) until Play is called again; Play(nil) stops
	// reading and plays silence. It returns once the previous source is no
	// longer read, so its owner may let it go. It fails when the device
	// is closed or broken; the caller then writes instead.
	Play(src Source) error
}

// LatencyReporter is implemented by devices (and stages wrapping them)
// that know how long audio spends in them: for a capture device from the
// sound reaching the microphone to Read returning it, for a playback device
// from the frame being taken to it being heard. The Session logs and
// reports the figures (Stats.CaptureMs, Stats.PlayoutMs).
type LatencyReporter interface {
	Latency() time.Duration
}

// UnderrunReporter is implemented by playback devices that know how often
// they ran out of audio (a gap was heard because the device's buffer
// emptied before it was fed: the machine did not schedule it in time).
type UnderrunReporter interface {
	Underruns() uint64
}

func isRealTime(v any) bool {
	rt, ok := v.(RealTime)
	return ok && rt.RealTime()
}

// Silence returns a Source of endless zeros.
func Silence() Source { return silence{} }

type silence struct{}

func (silence) Read(frame []int16) error {
	clear(frame)
	return nil
}

func (silence) String() string { return "Silence" }

// discard is the sink used when the caller passes none.
type discard struct{}

func (discard) Write([]int16) error { return nil }
func (discard) String() string      { return "Discard" }

// rtGuard catches a "real-time" device that does not block: a sink whose
// Write or a source whose Read returns at once would spin its loop. It
// counts frames against the clock and trips once the device has run more
// than rtSlack frames ahead of real time.
type rtGuard struct {
	start  time.Time
	frames int64
}

// rtSlack is how far ahead of real time a device may run (its buffers
// filling at start) before it counts as not blocking.
const rtSlack = 25

func (g *rtGuard) reset(now time.Time) { g.start, g.frames = now, 0 }

// ahead counts one frame and reports whether the device is too far ahead.
func (g *rtGuard) ahead(now time.Time) bool {
	g.frames++
	return g.frames > int64(now.Sub(g.start)/FrameDuration)+rtSlack
}
