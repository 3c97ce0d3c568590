package precheck

import (
	"errors"
	"fmt"

	"github.com/homeshore/homeshore/media/audiodev"
)

// DeviceAudio is the Audio backend of the check: media/audiodev, the same
// device layer a call plays and records through (native PulseAudio on
// Linux, WASAPI on Windows, PortAudio elsewhere), opening devices by the
// ids the device list, the headset verdict, the pin and Settings share.
// MonitorOf is the output's Pulse monitor on Linux and a WASAPI loopback on
// Windows; where the backend has neither (PortAudio, Wine 8's WASAPI) it
// fails with ErrNoMonitor and the speaker test needs the agent's answer.
type DeviceAudio struct{}

// OpenCapture records from an input ("" = default).
func (DeviceAudio) OpenCapture(name string) (Source, error) {
	s, err := audiodev.OpenCapture(name)
	if err != nil {
		return nil, deviceOpenError(err, name)
	}
	return s, nil
}

// OpenPlayback plays to an output ("" = default).
func (DeviceAudio) OpenPlayback(name string) (Sink, error) {
	s, err := audiodev.OpenPlayback(name)
	if err != nil {
		return nil, deviceOpenError(err, name)
	}
	return s, nil
}

// MonitorOf records what an output plays.
func (DeviceAudio) MonitorOf(output string) (Source, error) {
	s, err := audiodev.OpenMonitor(output)
	if err != nil {
		return nil, deviceOpenError(err, output)
	}
	return s, nil
}

// Close has nothing to release: each device closes on its own.
func (DeviceAudio) Close() error { return nil }

func deviceOpenError(err error, name string) error {
	switch {
	case errors.Is(err, audiodev.ErrNoMonitor):
		return fmt.Errorf("%w: %w", ErrNoMonitor, err)
	case errors.Is(err, audiodev.ErrDeviceNotFound):
		return fmt.Errorf("%w %q: %w", ErrDeviceMissing, name, err)
	}
	return err
}
