package devinfo

import "errors"

// ErrNoAudioServer: PulseAudio (or PipeWire-Pulse) is not reachable.
var ErrNoAudioServer = errors.New("cannot reach the sound server (PulseAudio/PipeWire): is your session's sound running?")

// ErrUnsupported: this OS has no device reader yet.
var ErrUnsupported = errors.New("reading audio device properties is not supported on this system")
