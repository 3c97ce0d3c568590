package core

import (
	"errors"
	"fmt"

	"github.com/homeshore/homeshore/media/audiodev"
	"github.com/homeshore/homeshore/sip"
)

// AudioOpener opens a call's microphone (input) and headset (output) by
// device name ("" = the system default) and returns how to close them.
type AudioOpener func(input, output string) (sip.Audio, func() error, error)

// openDevices opens the call's devices by name. A named device that is
// missing is an error: the agent must never be heard through, or hear the
// customer on, another device than the one that passed the check. Names
// are the sound server's ids (PulseAudio on Linux), as the device list and
// the check show them; media opens them directly.
func openDevices(input, output string) (sip.Audio, func() error, error) {
	mic, err := audiodev.OpenCapture(input)
	if err != nil {
		return sip.Audio{}, nil, deviceError("microphone", input, err)
	}
	spk, err := audiodev.OpenPlayback(output)
	if err != nil {
		return sip.Audio{}, nil, errors.Join(deviceError("headset", output, err), mic.Close())
	}
	return sip.Audio{Source: mic, Sink: spk}, func() error { return errors.Join(mic.Close(), spk.Close()) }, nil
}

func deviceError(role, name string, err error) error {
	if name == "" {
		name = "system default"
	}
	if errors.Is(err, audiodev.ErrDeviceNotFound) {
		return fmt.Errorf("the %s %q is not connected: plug it in or choose another in Settings, then run the check: %w", role, name, err)
	}
	return fmt.Errorf("cannot open the %s %q (%w): check it is plugged in and not used by another program", role, name, err)
}
