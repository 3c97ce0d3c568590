//go:build !cgo

package media

// ListDevices needs PortAudio, which a build without cgo lacks.
func ListDevices() ([]DeviceInfo, error) { return nil, ErrNoAudioBackend }

// OpenCapture needs PortAudio, which a build without cgo lacks.
func OpenCapture(string) (SourceCloser, error) { return nil, ErrNoAudioBackend }

// OpenPlayback needs PortAudio, which a build without cgo lacks.
func OpenPlayback(string) (SinkCloser, error) { return nil, ErrNoAudioBackend }
