package precheck

// FrameSamples is one 20 ms frame at 48 kHz mono (the project-wide frame).
const FrameSamples = 960

// Source is a capture device: Read fills frame (FrameSamples int16) or fails.
// audiodev.OpenCapture's SourceCloser satisfies it.
type Source interface {
	Read(frame []int16) error
	Close() error
}

// Sink is a playback device: Write queues one frame; it may block to keep real time.
// audiodev.OpenPlayback's SinkCloser satisfies it.
type Sink interface {
	Write(frame []int16) error
	Close() error
}

// Audio opens devices by their system name; "" means the system default.
// MonitorOf opens what an output is playing (Pulse ".monitor" source) for
// the headless speaker test; it may return ErrNoMonitor.
type Audio interface {
	OpenCapture(name string) (Source, error)
	OpenPlayback(name string) (Sink, error)
	MonitorOf(output string) (Source, error)
	Close() error
}
