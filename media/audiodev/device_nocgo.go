//go:build !cgo

package audiodev

import "github.com/homeshore/homeshore/media"

// Without cgo there is no PortAudio; on Linux PulseAudio still works.

func portAudioDevices() ([]DeviceInfo, error) { return nil, ErrNoAudioBackend }

func portAudioCapture(string) (media.SourceCloser, error) { return nil, ErrNoAudioBackend }

func portAudioPlayback(string) (media.SinkCloser, error) { return nil, ErrNoAudioBackend }
