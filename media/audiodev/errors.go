package audiodev

import "errors"

var (
	// ErrNoAudioBackend means this build has no audio device support
	// (built without cgo, so PortAudio is not linked in).
	ErrNoAudioBackend = errors.New("no audio device support in this build (rebuild with CGO_ENABLED=1 and PortAudio installed)")
	// ErrDeviceNotFound means no audio device matched the requested name.
	ErrDeviceNotFound = errors.New("audio device not found (run `homeshore devices` to list them)")
	// ErrDeviceStalled means the sound server stopped taking or giving
	// audio for a device (it was removed, or the stream was killed).
	ErrDeviceStalled = errors.New("audio device stopped: the sound server no longer serves it (unplugged?); choose another device")
	// ErrNoMonitor means the backend cannot record what an output plays
	// (PortAudio); the speaker test then needs the agent's answer.
	ErrNoMonitor = errors.New("this audio backend cannot listen to what the output plays")
	// ErrDeviceClosed means a device stream was used after Close.
	ErrDeviceClosed = errors.New("audio device closed")
)
