package core

import (
	"errors"
	"fmt"

	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// AudioOpener opens a call's microphone (input) and headset (output) by
// device name ("" = the system default) and returns how to close them.
type AudioOpener func(input, output string) (sip.Audio, func() error, error)

// openDevices opens PortAudio devices by name. A named device that is
// missing is an error: the agent must never be heard through, or hear the
// customer on, another device than the one that passed the check.
//
// The device list and the check name devices by their sound-server id
// (a PulseAudio name on Linux), which PortAudio's ALSA host does not list;
// such a name is opened on PulseAudio directly, the device the check judged.
func openDevices(input, output string) (sip.Audio, func() error, error) {
	mic, err := openCapture(input)
	if err != nil {
		return sip.Audio{}, nil, deviceError("microphone", input, err)
	}
	spk, err := openPlayback(output)
	if err != nil {
		return sip.Audio{}, nil, errors.Join(deviceError("headset", output, err), mic.Close())
	}
	return sip.Audio{Source: mic, Sink: spk}, func() error { return errors.Join(mic.Close(), spk.Close()) }, nil
}

func openCapture(name string) (media.SourceCloser, error) {
	dev, err := media.OpenCapture(name)
	if err == nil || name == "" || !errors.Is(err, media.ErrDeviceNotFound) {
		return dev, err
	}
	pa, perr := precheck.NewPulseAudio()
	if perr != nil {
		return nil, err
	}
	src, perr := pa.OpenCapture(name)
	if perr != nil {
		pa.Close()
		return nil, err
	}
	return &pulseSource{Source: src, pa: pa, name: name}, nil
}

func openPlayback(name string) (media.SinkCloser, error) {
	dev, err := media.OpenPlayback(name)
	if err == nil || name == "" || !errors.Is(err, media.ErrDeviceNotFound) {
		return dev, err
	}
	pa, perr := precheck.NewPulseAudio()
	if perr != nil {
		return nil, err
	}
	sink, perr := pa.OpenPlayback(name)
	if perr != nil {
		pa.Close()
		return nil, err
	}
	return &pulseSink{Sink: sink, pa: pa, name: name}, nil
}

// pulseSource and pulseSink close their sound-server connection with them.
type pulseSource struct {
	precheck.Source
	pa   *precheck.PulseAudio
	name string
}

func (p *pulseSource) Close() error   { return errors.Join(p.Source.Close(), p.pa.Close()) }
func (p *pulseSource) String() string { return fmt.Sprintf("Pulse(%q 48k)", p.name) }

type pulseSink struct {
	precheck.Sink
	pa   *precheck.PulseAudio
	name string
}

func (p *pulseSink) Close() error   { return errors.Join(p.Sink.Close(), p.pa.Close()) }
func (p *pulseSink) String() string { return fmt.Sprintf("Pulse(%q 48k)", p.name) }

func deviceError(role, name string, err error) error {
	if name == "" {
		name = "system default"
	}
	if errors.Is(err, media.ErrDeviceNotFound) {
		return fmt.Errorf("the %s %q is not connected: plug it in or choose another in Settings, then run the check: %w", role, name, err)
	}
	return fmt.Errorf("cannot open the %s %q (%w): check it is plugged in and not used by another program", role, name, err)
}
