//go:build !cgo

package media

// Without cgo there is no PortAudio; on Linux PulseAudio still works.

func portAudioDevices() ([]DeviceInfo, error) { return nil, ErrNoAudioBackend }

func portAudioCapture(string) (SourceCloser, error) { return nil, ErrNoAudioBackend }

func portAudioPlayback(string) (SinkCloser, error) { return nil, ErrNoAudioBackend }
