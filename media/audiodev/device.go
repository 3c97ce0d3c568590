package audiodev

import "github.com/homeshore/homeshore/media"

// DeviceInfo describes one audio device as the audio backend sees it. ID is
// the one id the device list, the policy, the pin, Settings and the opener
// share: with PulseAudio the source or sink name (what PULSE_SOURCE and
// PULSE_SINK take), with WASAPI the endpoint id (IMMDevice::GetId, the key
// of the endpoint in the MMDevices registry tree), with PortAudio
// "host API:name". Name is its description.
type DeviceInfo struct {
	ID, Name, HostAPI           string
	Inputs, Outputs             int
	DefaultInput, DefaultOutput bool
	Monitor                     bool // a Pulse sink's monitor: records what it plays, not a microphone
}

// One native backend per OS serves the devices, and PortAudio is never
// initialised while it does: on Linux a reachable PulseAudio (or
// PipeWire-Pulse) server (pulse_linux.go), on Windows WASAPI
// (wasapi_windows.go). PortAudio serves them on Linux without a Pulse
// server, and on macOS (CoreAudio). Set HOMESHORE_AUDIO_BACKEND=portaudio
// (or =pulse, =wasapi) to force one.
const backendEnv = "HOMESHORE_AUDIO_BACKEND"

// OpenCapture opens an input device by its DeviceInfo.ID ("" = default;
// with PulseAudio, PULSE_SOURCE if set) for 48 kHz mono 20 ms frames; Read blocks until the
// next frame is captured. A name that matches no device fails with
// ErrDeviceNotFound.
func OpenCapture(name string) (media.SourceCloser, error) {
	if d, ok, err := nativeOpenCapture(name); ok {
		return d, err
	}
	return portAudioCapture(name)
}

// OpenPlayback opens an output device ("" = default; with PulseAudio,
// PULSE_SINK if set); Write blocks while the device's buffer is full.
func OpenPlayback(name string) (media.SinkCloser, error) {
	if d, ok, err := nativeOpenPlayback(name); ok {
		return d, err
	}
	return portAudioPlayback(name)
}

// OpenMonitor records what the output device plays ("" = default): with
// PulseAudio the sink's monitor source, with WASAPI a loopback capture of
// the render endpoint. Both tap the digital stream the device is given, so
// they prove the output is open, unmuted in software and fed, not that
// sound leaves the earpiece. PortAudio has no such tap: ErrNoMonitor.
func OpenMonitor(output string) (media.SourceCloser, error) {
	if d, ok, err := nativeOpenMonitor(output); ok {
		return d, err
	}
	return nil, ErrNoMonitor
}

// ListDevices lists the audio devices of the backend OpenCapture and
// OpenPlayback use.
func ListDevices() ([]DeviceInfo, error) {
	if devs, ok, err := nativeListDevices(); ok {
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
