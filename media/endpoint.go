package media

import "io"

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
