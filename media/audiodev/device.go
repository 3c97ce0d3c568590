package audiodev

import "github.com/homeshore/homeshore/media"

// DeviceInfo describes one audio device as the audio backend sees it.
// With PulseAudio, ID is the source or sink name (what PULSE_SOURCE and
// PULSE_SINK take) and Name its description.
type DeviceInfo struct {
	ID, Name, HostAPI           string
	Inputs, Outputs             int
	DefaultInput, DefaultOutput bool
	Monitor                     bool // a Pulse sink's monitor: records what it plays, not a microphone
}

// On Linux a reachable PulseAudio (or PipeWire-Pulse) server serves the
// devices natively (pulse_linux.go) and PortAudio is never initialised;
// without one, and on Windows and macOS, PortAudio does. Set
// HOMESHORE_AUDIO_BACKEND=portaudio (or =pulse) to force one.

// OpenCapture opens an input device ("" = default; with PulseAudio,
// PULSE_SOURCE if set) for 48 kHz mono 20 ms frames; Read blocks until the
// next frame is captured. A name that matches no device fails with
// ErrDeviceNotFound.
func OpenCapture(name string) (media.SourceCloser, error) {
	if d, ok, err := pulseOpenCapture(name); ok {
		return d, err
	}
	return portAudioCapture(name)
}

// OpenPlayback opens an output device ("" = default; with PulseAudio,
// PULSE_SINK if set); Write blocks while the device's buffer is full.
func OpenPlayback(name string) (media.SinkCloser, error) {
	if d, ok, err := pulseOpenPlayback(name); ok {
		return d, err
	}
	return portAudioPlayback(name)
}

// ListDevices lists the audio devices of the backend OpenCapture and
// OpenPlayback use.
func ListDevices() ([]DeviceInfo, error) {
	if devs, ok, err := pulseListDevices(); ok {
		return devs, err
	}
	return portAudioDevices()
}

func direction(input bool) string {
	if input {
		return "input"
	}
	return "output"
}
