package audiodev

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/media/audiodev/wasapi"
)

// On Windows the native backend is WASAPI, called from Go (package wasapi)
// rather than through PortAudio: Debian's PortAudio (19.6) cannot build its
// WASAPI host API with mingw-w64, so the Windows PortAudio only has MME and
// DirectSound, which name devices by truncated friendly names; WASAPI opens
// the very endpoint id the device list, the pin and Settings store, converts
// to 48 kHz mono in the audio engine, records an output by loopback (the
// monitor the speaker test needs) and blocks no thread in cgo.
// HOMESHORE_AUDIO_BACKEND=portaudio still selects PortAudio.

const (
	// wasapiBuffer is the endpoint buffer asked for; the engine may round
	// it up to its period.
	wasapiBuffer = 40 * time.Millisecond
	// wasapiWake bounds each wait for the engine's event, so a stream whose
	// events stop (loopback of a silent output on older Windows) still
	// drains and Close is seen.
	wasapiWake = 20 * time.Millisecond
)

func wasapiChosen() bool {
	return os.Getenv(backendEnv) != "portaudio"
}

func nativeOpenCapture(name string) (media.SourceCloser, bool, error) {
	if !wasapiChosen() {
		return nil, false, nil
	}
	s, err := openWASAPI(name, wasapi.Record)
	if err != nil {
		return nil, true, err
	}
	return &wasapiCapture{s}, true, nil
}

func nativeOpenMonitor(output string) (media.SourceCloser, bool, error) {
	if !wasapiChosen() {
		return nil, false, nil
	}
	s, err := openWASAPI(output, wasapi.Loopback)
	if err != nil {
		return nil, true, err
	}
	return &wasapiCapture{s}, true, nil
}

func nativeOpenPlayback(name string) (media.SinkCloser, bool, error) {
	if !wasapiChosen() {
		return nil, false, nil
	}
	s, err := openWASAPI(name, wasapi.Play)
	if err != nil {
		return nil, true, err
	}
	return &wasapiPlayback{s}, true, nil
}

func nativeListDevices() ([]DeviceInfo, bool, error) {
	if !wasapiChosen() {
		return nil, false, nil
	}
	done, err := wasapi.Thread()
	if err != nil {
		return nil, true, fmt.Errorf("%w: %v", ErrNoAudioBackend, err)
	}
	defer done()
	eps, err := wasapi.Endpoints()
	if err != nil {
		return nil, true, fmt.Errorf("list audio endpoints: %w", err)
	}
	out := make([]DeviceInfo, 0, len(eps))
	for _, e := range eps {
		d := DeviceInfo{ID: e.ID, Name: e.FriendlyName, HostAPI: wasapiHostAPI}
		if e.Flow == wasapi.Capture {
			d.Inputs, d.DefaultInput = 1, e.Default
		} else {
			d.Outputs, d.DefaultOutput = 1, e.Default
		}
		out = append(out, d)
	}
	return out, true, nil
}

// wasapiHostAPI names the backend in DeviceInfo.HostAPI.
const wasapiHostAPI = "WASAPI"

// wasapiStream runs one endpoint stream on a goroutine locked to its OS
// thread (COM objects stay on the thread that made them): it moves audio
// between the engine's buffer and the ring on each engine event. Close
// stops and joins it.
type wasapiStream struct {
	name   string
	ring   *sampleRing
	callMu sync.Mutex // one Read/Write at a time: they share the stall timer
	wait   stallWait
	quit   chan struct{}
	done   chan struct{}
	once   sync.Once
}

func openWASAPI(id string, mode wasapi.Mode) (*wasapiStream, error) {
	frames := pulseCaptureRingFrames
	if mode == wasapi.Play {
		frames = pulsePlayRingFrames
	}
	s := &wasapiStream{name: id, ring: newSampleRing(frames * media.FrameSamples), wait: newStallWait(),
		quit: make(chan struct{}), done: make(chan struct{})}
	opened := make(chan error, 1)
	go s.run(id, mode, opened)
	if err := <-opened; err != nil {
		<-s.done
		return nil, err
	}
	return s, nil
}

func (s *wasapiStream) run(id string, mode wasapi.Mode, opened chan<- error) {
	defer close(s.done)
	leave, err := wasapi.Thread()
	if err != nil {
		opened <- fmt.Errorf("%w: %v", ErrNoAudioBackend, err)
		return
	}
	defer leave()
	c, err := wasapi.Open(id, mode, media.SampleRate, wasapiBuffer)
	if err != nil {
		opened <- wasapiError(err, id, mode)
		return
	}
	defer c.Close()
	if c.Name != "" {
		s.name = c.Name
	}
	if err := c.Start(); err != nil {
		opened <- wasapiError(err, id, mode)
		return
	}
	opened <- nil
	fill := func(out []int16) {
		if !s.ring.pull(out) {
			clear(out)
		}
	}
	for {
		select {
		case <-s.quit:
			return
		default:
		}
		c.Wait(wasapiWake)
		if mode == wasapi.Play {
			err = c.Fill(fill)
		} else {
			err = c.Drain(s.ring.push)
		}
		if err != nil {
			s.ring.fail(wasapiError(err, id, mode))
			return
		}
	}
}

func wasapiError(err error, id string, mode wasapi.Mode) error {
	what := map[wasapi.Mode]string{wasapi.Play: "output", wasapi.Record: "input", wasapi.Loopback: "output (loopback)"}[mode]
	if id == "" {
		id = "default " + what
	}
	switch {
	case mode == wasapi.Loopback && errors.Is(err, wasapi.ErrWrongEndpointType):
		return fmt.Errorf("%w: no loopback capture of %q: %v", ErrNoMonitor, id, err)
	case errors.Is(err, wasapi.ErrNotFound):
		return fmt.Errorf("%w: no active %s endpoint %q: %v", ErrDeviceNotFound, what, id, err)
	case errors.Is(err, wasapi.ErrDeviceGone):
		return fmt.Errorf("%w: %v", ErrDeviceStalled, err)
	}
	return fmt.Errorf("WASAPI %s %q: %w", what, id, err)
}

// alive reports the engine thread's failure; the ring already carries it.
func (s *wasapiStream) alive() error {
	select {
	case <-s.done:
		return ErrDeviceStalled
	default:
		return nil
	}
}

// RealTime marks the stream as running on the audio engine's clock.
func (s *wasapiStream) RealTime() bool { return true }

// Close stops the stream and joins its thread; safe to call twice.
func (s *wasapiStream) Close() error {
	s.once.Do(func() {
		s.ring.close()
		close(s.quit)
		<-s.done
	})
	return nil
}

type wasapiCapture struct{ *wasapiStream }

// Read blocks until the next 20 ms of audio has been captured.
func (d *wasapiCapture) Read(frame []int16) error {
	d.callMu.Lock()
	defer d.callMu.Unlock()
	if err := d.ring.takeFrame(frame, d.wait, pulseStallProbe, d.alive); err != nil {
		return fmt.Errorf("capture %q: %w", d.name, err)
	}
	return nil
}

func (d *wasapiCapture) String() string { return fmt.Sprintf("WASAPI(capture %q 48k)", d.name) }

type wasapiPlayback struct{ *wasapiStream }

// Write queues one frame, blocking until the engine has taken enough of
// the previous ones.
func (d *wasapiPlayback) Write(frame []int16) error {
	d.callMu.Lock()
	defer d.callMu.Unlock()
	if err := d.ring.putFrame(frame, d.wait, pulseStallProbe, d.alive); err != nil {
		return fmt.Errorf("playback %q: %w", d.name, err)
	}
	return nil
}

func (d *wasapiPlayback) String() string { return fmt.Sprintf("WASAPI(render %q 48k)", d.name) }
