package core

import (
	"errors"
	"fmt"

	"github.com/homeshore/homeshore/media/audiodev"
	"github.com/homeshore/homeshore/media/dsp"
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

// withProcessing puts the agent's audio processing (media/dsp: noise
// suppression, gain, echo cancellation, as policy and Settings say) between
// the call and whatever opened its audio, devices or a test's files. When
// the library is missing the raw microphone is sent, with a warning. The
// pre-shift check never comes through here: it measures the raw microphone.
func (c *Core) withProcessing(audio sip.Audio, closeAudio func() error, input, output string) (sip.Audio, func() error) {
	prof, _ := c.settings.profile()
	want := c.policy.ProcessingModes(prof.Audio).Processing(c.checks.headsetProved(input, output))
	c.log.Info("call audio processing", "processing", want.String())
	if !want.NoiseSuppression && !want.AGC && !want.EchoCancel {
		return audio, closeAudio
	}
	proc, err := dsp.New(dsp.Config{NoiseSuppression: want.NoiseSuppression, AGC: want.AGC, EchoCancel: want.EchoCancel}, c.log)
	if err != nil {
		c.log.Warn("audio processing unavailable: sending the raw microphone", "want", want.String(), "err", err)
		return audio, closeAudio
	}
	if audio.Source != nil {
		audio.Source = proc.Capture(audio.Source)
	}
	if audio.Sink != nil {
		audio.Sink = proc.Playback(audio.Sink)
	}
	return audio, func() error { return errors.Join(closeAudio(), proc.Close()) }
}
