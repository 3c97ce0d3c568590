//go:build cgo

package audiodev

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gordonklaus/portaudio"
	"github.com/homeshore/homeshore/media"
)

// PortAudio keeps global state; Initialize/Terminate are reference counted
// by PortAudio itself, so every user pairs them through initPortAudio.

func initPortAudio() error {
	quietBackends()
	if err := portaudio.Initialize(); err != nil {
		return fmt.Errorf("%w: %v", ErrNoAudioBackend, err)
	}
	return nil
}

// portAudioDevices lists the devices PortAudio sees.
func portAudioDevices() ([]DeviceInfo, error) {
	if err := initPortAudio(); err != nil {
		return nil, err
	}
	defer portaudio.Terminate()
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("list audio devices: %w", err)
	}
	defIn, _ := portaudio.DefaultInputDevice()
	defOut, _ := portaudio.DefaultOutputDevice()
	out := make([]DeviceInfo, 0, len(devs))
	for _, d := range devs {
		out = append(out, deviceInfo(d, defIn, defOut))
	}
	return out, nil
}

func deviceInfo(d, defIn, defOut *portaudio.DeviceInfo) DeviceInfo {
	host := ""
	if d.HostApi != nil {
		host = d.HostApi.Name
	}
	return DeviceInfo{
		ID:            host + ":" + d.Name,
		Name:          d.Name,
		HostAPI:       host,
		Inputs:        d.MaxInputChannels,
		Outputs:       d.MaxOutputChannels,
		DefaultInput:  defIn != nil && d.Index == defIn.Index && d.HostApi == defIn.HostApi,
		DefaultOutput: defOut != nil && d.Index == defOut.Index && d.HostApi == defOut.HostApi,
	}
}

// findDevice picks the device called name (ID, exact name, then a unique
// case-insensitive substring), or the default when name is "".
func findDevice(name string, input bool) (*portaudio.DeviceInfo, error) {
	if name == "" {
		var d *portaudio.DeviceInfo
		var err error
		if input {
			d, err = portaudio.DefaultInputDevice()
		} else {
			d, err = portaudio.DefaultOutputDevice()
		}
		if err != nil || d == nil {
			return nil, fmt.Errorf("%w: no default %s device", ErrDeviceNotFound, direction(input))
		}
		return d, nil
	}
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("list audio devices: %w", err)
	}
	usable := func(d *portaudio.DeviceInfo) bool {
		if input {
			return d.MaxInputChannels > 0
		}
		return d.MaxOutputChannels > 0
	}
	var partial []*portaudio.DeviceInfo
	for _, d := range devs {
		if !usable(d) {
			continue
		}
		info := deviceInfo(d, nil, nil)
		if info.ID == name || d.Name == name || d.Name == macDeviceName(name) {
			return d, nil
		}
		if strings.Contains(strings.ToLower(d.Name), strings.ToLower(name)) {
			partial = append(partial, d)
		}
	}
	if len(partial) == 1 {
		return partial[0], nil
	}
	return nil, fmt.Errorf("%w: no single %s device matches %q", ErrDeviceNotFound, direction(input), name)
}

// macDeviceName is the CoreAudio device name in a macOS device id
// ("Name|transport", media/devinfo), which PortAudio names by Name alone.
func macDeviceName(id string) string {
	if i := strings.LastIndex(id, "|"); i > 0 {
		return id[:i]
	}
	return ""
}

// paStream is a blocking PortAudio stream of 20 ms mono frames.
type paStream struct {
	mu     sync.Mutex
	stream *portaudio.Stream
	buf    []int16
	name   string
	input  bool
	closed bool
}

func openStream(name string, input bool) (*paStream, error) {
	if err := initPortAudio(); err != nil {
		return nil, err
	}
	dev, err := findDevice(name, input)
	if err != nil {
		portaudio.Terminate()
		return nil, err
	}
	p := portaudio.StreamParameters{SampleRate: media.SampleRate, FramesPerBuffer: media.FrameSamples}
	if input {
		p.Input = portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: dev.DefaultLowInputLatency}
	} else {
		p.Output = portaudio.StreamDeviceParameters{Device: dev, Channels: 1, Latency: dev.DefaultLowOutputLatency}
	}
	s := &paStream{buf: make([]int16, media.FrameSamples), name: dev.Name, input: input}
	s.stream, err = portaudio.OpenStream(p, s.buf)
	if err != nil {
		portaudio.Terminate()
		return nil, fmt.Errorf("open %s device %q at 48 kHz mono: %w", direction(input), dev.Name, err)
	}
	if err := s.stream.Start(); err != nil {
		s.stream.Close()
		portaudio.Terminate()
		return nil, fmt.Errorf("start %s device %q: %w", direction(input), dev.Name, err)
	}
	return s, nil
}

func portAudioCapture(name string) (media.SourceCloser, error) {
	s, err := openStream(name, true)
	if err != nil {
		return nil, err
	}
	return &captureDevice{s}, nil
}

func portAudioPlayback(name string) (media.SinkCloser, error) {
	s, err := openStream(name, false)
	if err != nil {
		return nil, err
	}
	return &playbackDevice{s}, nil
}

type captureDevice struct{ *paStream }

func (d *captureDevice) Read(frame []int16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("capture %q: %w", d.name, ErrDeviceClosed)
	}
	// An overflow only means we were late; the frame is still good.
	if err := d.stream.Read(); err != nil && !errors.Is(err, portaudio.InputOverflowed) {
		return fmt.Errorf("capture %q: %w", d.name, err)
	}
	copy(frame, d.buf)
	return nil
}

func (d *captureDevice) String() string { return fmt.Sprintf("Device(%q 48k)", d.name) }

type playbackDevice struct{ *paStream }

func (d *playbackDevice) Write(frame []int16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return fmt.Errorf("playback %q: %w", d.name, ErrDeviceClosed)
	}
	n := copy(d.buf, frame)
	clear(d.buf[n:])
	if err := d.stream.Write(); err != nil && !errors.Is(err, portaudio.OutputUnderflowed) {
		return fmt.Errorf("playback %q: %w", d.name, err)
	}
	return nil
}

func (d *playbackDevice) String() string { return fmt.Sprintf("Device(%q 48k)", d.name) }

// RealTime marks device streams as running on the hardware clock.
func (s *paStream) RealTime() bool { return true }

// Close stops the stream; safe to call twice.
func (s *paStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := errors.Join(s.stream.Stop(), s.stream.Close())
	portaudio.Terminate()
	if err != nil {
		return fmt.Errorf("close audio device %q: %w", s.name, err)
	}
	return nil
}
