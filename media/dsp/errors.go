package dsp

import "errors"

var (
	// ErrUnavailable means this build has no DSP library (built without
	// cgo, or without libspeexdsp): audio is sent unprocessed.
	ErrUnavailable = errors.New("audio processing (noise suppression, gain, echo cancellation) not available in this build: rebuild with CGO_ENABLED=1 and libspeexdsp")
	// ErrClosed means a stage was used after its Processor was closed.
	ErrClosed = errors.New("audio processing closed")
	// ErrFrameSize means a frame was not media.FrameSamples long.
	ErrFrameSize = errors.New("audio processing: frame is not 20 ms at 48 kHz")
)
