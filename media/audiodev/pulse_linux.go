//go:build linux

package audiodev

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/homeshore/homeshore/media"
	"github.com/jfreymuth/pulse"
	"github.com/jfreymuth/pulse/proto"
)

// The Pulse backend talks the PulseAudio native protocol in pure Go
// (jfreymuth/pulse): no cgo call ever blocks a thread, and PortAudio's ALSA
// probing (and the plugins it loads) never happens. PipeWire's pulse
// server speaks the same protocol.

const (
	// pulseCaptureLatency is the record fragment: PulseAudio sends 20 ms
	// chunks, one frame each.
	pulseCaptureLatency = 0.020
	// pulsePlaybackLatency is the server-side buffer (tlength). We answer
	// every request at once, padding with silence when the call has nothing
	// yet, so the stream never underflows back into prebuffering. With
	// pulsePlayRingFrames, a tone written to a null sink comes back from
	// its monitor 50 ms later (BenchmarkPulseLoop; 60 ms with minreq = one
	// frame, 70 ms with tlength 60 ms), about 40 ms of it output latency.
	pulsePlaybackLatency = 40 * time.Millisecond
	// pulsePushRequest is how much the server asks for at a time while
	// writing.
	pulsePushRequest = media.FrameDuration / 2
	// pulseBufferMax bounds the server's queue for a stream.
	pulseBufferMax = 2 * pullBufferCeil
	// pulseBackendEnv picks the device backend: "pulse", "portaudio", or
	// unset/"auto" (Pulse when a server answers, else PortAudio).
	pulseBackendEnv = backendEnv
	// pulseFrameBytes is one 20 ms frame of mono int16.
	pulseFrameBytes = 2 * media.FrameSamples
)

// dialPulse connects to the Pulse server for one device or listing.
// handled is false when PortAudio should be used instead: the env switch
// says so, or no server answers and Pulse was not forced.
func dialPulse(app string) (c *pulse.Client, handled bool, err error) {
	mode := os.Getenv(pulseBackendEnv)
	if mode == "portaudio" {
		return nil, false, nil
	}
	c, err = pulse.NewClient(pulse.ClientApplicationName(app))
	if err != nil {
		if mode == "pulse" {
			return nil, true, fmt.Errorf("%w: PulseAudio server not reachable (%s=pulse): %v", ErrNoAudioBackend, pulseBackendEnv, err)
		}
		return nil, false, nil
	}
	return c, true, nil
}

// pulseDeviceName is the device to open: name, else the env var libpulse
// clients honour (PULSE_SOURCE / PULSE_SINK), else "" for the server
// default.
func pulseDeviceName(name string, input bool) (string, string) {
	if name != "" {
		return name, ""
	}
	env := "PULSE_SINK"
	if input {
		env = "PULSE_SOURCE"
	}
	if v := os.Getenv(env); v != "" {
		return v, env
	}
	return "", ""
}

func pulseLookupError(err error, input bool, name, env string) error {
	if name == "" {
		return fmt.Errorf("%w: no default %s device on the PulseAudio server: %v", ErrDeviceNotFound, direction(input), err)
	}
	via := ""
	if env != "" {
		via = " (from " + env + ")"
	}
	var perr proto.Error
	if errors.As(err, &perr) && perr == proto.ErrNoSuchEntity {
		return fmt.Errorf("%w: no PulseAudio %s %q%s", ErrDeviceNotFound, pulseKind(input), name, via)
	}
	return fmt.Errorf("look up PulseAudio %s %q%s: %w", pulseKind(input), name, via, err)
}

func pulseKind(input bool) string {
	if input {
		return "source"
	}
	return "sink"
}

// pulseOpenCapture records from a Pulse source; handled=false means no
// server (use PortAudio).
func pulseOpenCapture(name string) (media.SourceCloser, bool, error) {
	c, ok, err := dialPulse("Homeshore microphone")
	if !ok || err != nil {
		return nil, ok, err
	}
	dev, env := pulseDeviceName(name, true)
	var src *pulse.Source
	if dev == "" {
		src, err = c.DefaultSource()
	} else {
		src, err = c.SourceByID(dev)
	}
	if err != nil {
		c.Close()
		return nil, true, pulseLookupError(err, true, dev, env)
	}
	d, err := pulseRecord(c, src.ID(), pulse.RecordSource(src))
	return d, true, err
}

// pulseOpenMonitor records what a Pulse sink plays (its monitor source);
// handled=false means no server.
func pulseOpenMonitor(output string) (media.SourceCloser, bool, error) {
	c, ok, err := dialPulse("Homeshore speaker test")
	if !ok || err != nil {
		return nil, ok, err
	}
	dev, env := pulseDeviceName(output, false)
	var sink *pulse.Sink
	if dev == "" {
		sink, err = c.DefaultSink()
	} else {
		sink, err = c.SinkByID(dev)
	}
	if err != nil {
		c.Close()
		return nil, true, pulseLookupError(err, false, dev, env)
	}
	d, err := pulseRecord(c, sink.ID()+".monitor", pulse.RecordMonitor(sink))
	return d, true, err
}

// pulseRecord starts a 48 kHz mono record stream on c, which it then owns.
func pulseRecord(c *pulse.Client, name string, from pulse.RecordOption) (*pulseCapture, error) {
	d := newPulseCapture(name)
	d.client = c
	var err error
	d.stream, err = c.NewRecord(pulse.Int16Writer(d.push), from, pulse.RecordMono,
		pulse.RecordSampleRate(media.SampleRate), pulse.RecordLatency(pulseCaptureLatency),
		pulse.RecordMediaName("Homeshore call"))
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("open PulseAudio source %q at 48 kHz mono: %w", name, err)
	}
	d.stream.Start()
	return d, nil
}

// pulseOpenPlayback plays to a Pulse sink; handled=false means no server.
func pulseOpenPlayback(name string) (media.SinkCloser, bool, error) {
	c, ok, err := dialPulse("Homeshore speaker")
	if !ok || err != nil {
		return nil, ok, err
	}
	dev, env := pulseDeviceName(name, false)
	var sink *pulse.Sink
	if dev == "" {
		sink, err = c.DefaultSink()
	} else {
		sink, err = c.SinkByID(dev)
	}
	if err != nil {
		c.Close()
		return nil, true, pulseLookupError(err, false, dev, env)
	}
	d := newPulsePlayback(sink.ID())
	d.client = c
	d.stream, err = c.NewPlayback(pulse.Int16Reader(d.pull), pulse.PlaybackSink(sink), pulse.PlaybackMono,
		pulse.PlaybackSampleRate(media.SampleRate), pulse.PlaybackLatency(pulsePlaybackLatency.Seconds()),
		pulse.PlaybackMediaName("Homeshore call"), pulse.PlaybackRawOption(func(r *proto.CreatePlaybackStream) {
			// Start once one frame is there. Requests of half a frame
			// leave the sink (tlength-2*minreq)/2 = 10 ms of its own
			// buffer: with minreq = a frame that is 0, and a null sink
			// then renders (and its monitor posts) every 0.5 ms.
			r.BufferPrebufferLength = pulseFrameBytes
			r.BufferMinimumRequest = pulseFrameBytes / 2
			r.BufferMaxLength = 2 * uint32(pulseBufferMax*media.SampleRate/time.Second*2)
		}))
	if err != nil {
		c.Close()
		return nil, true, fmt.Errorf("open PulseAudio sink %q at 48 kHz mono: %w", sink.ID(), err)
	}
	// Start returns once the server has our first (silent) buffer and runs.
	// Start returns once the server runs the stream. A PulseAudio null
	// sink only notices a new stream at the end of its current block (up
	// to 2 s when idle); real sinks and PipeWire start at once.
	d.stream.Start()
	go d.tune()
	return d, true, nil
}

// pulseListDevices lists sources and sinks; handled=false means no server.
func pulseListDevices() ([]DeviceInfo, bool, error) {
	c, ok, err := dialPulse("Homeshore device list")
	if !ok || err != nil {
		return nil, ok, err
	}
	defer c.Close()
	var info proto.GetServerInfoReply
	if err := c.RawRequest(&proto.GetServerInfo{}, &info); err != nil {
		return nil, true, fmt.Errorf("PulseAudio server info: %w", err)
	}
	var sources proto.GetSourceInfoListReply
	if err := c.RawRequest(&proto.GetSourceInfoList{}, &sources); err != nil {
		return nil, true, fmt.Errorf("list PulseAudio sources: %w", err)
	}
	var sinks proto.GetSinkInfoListReply
	if err := c.RawRequest(&proto.GetSinkInfoList{}, &sinks); err != nil {
		return nil, true, fmt.Errorf("list PulseAudio sinks: %w", err)
	}
	defIn, defOut := info.DefaultSourceName, info.DefaultSinkName
	if v := os.Getenv("PULSE_SOURCE"); v != "" {
		defIn = v
	}
	if v := os.Getenv("PULSE_SINK"); v != "" {
		defOut = v
	}
	out := make([]DeviceInfo, 0, len(sources)+len(sinks))
	for _, s := range sources {
		out = append(out, DeviceInfo{
			ID: s.SourceName, Name: s.Device, HostAPI: pulseHostAPI,
			Inputs:       int(s.Channels),
			DefaultInput: s.SourceName == defIn,
			Monitor:      s.MonitorSourceIndex != proto.Undefined,
		})
	}
	for _, s := range sinks {
		out = append(out, DeviceInfo{
			ID: s.SinkName, Name: s.Device, HostAPI: pulseHostAPI,
			Outputs:       int(s.Channels),
			DefaultOutput: s.SinkName == defOut,
		})
	}
	return out, true, nil
}

// pulseHostAPI names the backend in DeviceInfo.HostAPI.
const pulseHostAPI = "PulseAudio"

// pulseAlive asks the server something cheap: a stalled stream on a live
// connection is waited for, one on a dead connection fails.
func pulseAlive(c *pulse.Client) error {
	var info proto.GetServerInfoReply
	return c.RawRequest(&proto.GetServerInfo{}, &info)
}

// setBuffer asks the server to keep latency for the stream, requesting
// audio request at a time; it returns the queue the server keeps (the rest
// of the latency is the sink's own).
func (d *pulsePlayback) setBuffer(latency, request time.Duration) (time.Duration, error) {
	bytes := func(d time.Duration) uint32 { return uint32(d * media.SampleRate / time.Second * 2) }
	var rep proto.SetPlaybackStreamBufferAttrReply
	err := d.client.RawRequest(&proto.SetPlaybackStreamBufferAttr{
		StreamIndex:           d.stream.StreamIndex(),
		BufferMaxLength:       2 * bytes(pulseBufferMax),
		BufferTargetLength:    bytes(latency),
		BufferPrebufferLength: bytes(request),
		BufferMinimumRequest:  bytes(request),
		AdjustLatency:         true,
	}, &rep)
	return time.Duration(rep.BufferTargetLength) * time.Second / (2 * media.SampleRate), err
}
