package precheck

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jfreymuth/pulse"
)

// PulseAudio is the Audio backend on PulseAudio / PipeWire-Pulse through
// jfreymuth/pulse (pure Go): it opens devices by their Pulse name, which is
// the id the headset verdict and pin use. Capture runs at 20 ms latency;
// playback at 200 ms, because shorter targets made PulseAudio hold the
// stream's start for up to a second waiting for prebuffer (the leak test's
// 1 s delay window absorbs the latency).
type PulseAudio struct {
	mu     sync.Mutex
	client *pulse.Client
	closed bool
}

// NewPulseAudio connects to the Pulse server.
func NewPulseAudio() (*PulseAudio, error) {
	c, err := pulse.NewClient(pulse.ClientApplicationName("Homeshore pre-shift check"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoAudio, err)
	}
	return &PulseAudio{client: c}, nil
}

// Close disconnects; idempotent.
func (p *PulseAudio) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		p.client.Close()
	}
	return nil
}

// OpenCapture records from a Pulse source ("" = default).
func (p *PulseAudio) OpenCapture(name string) (Source, error) {
	var src *pulse.Source
	var err error
	if name == "" {
		src, err = p.client.DefaultSource()
	} else {
		src, err = p.client.SourceByID(name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrDeviceMissing, name, err)
	}
	return p.record(pulse.RecordSource(src))
}

// MonitorOf records what a Pulse sink plays.
func (p *PulseAudio) MonitorOf(output string) (Source, error) {
	var sink *pulse.Sink
	var err error
	if output == "" {
		sink, err = p.client.DefaultSink()
	} else {
		sink, err = p.client.SinkByID(output)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrDeviceMissing, output, err)
	}
	return p.record(pulse.RecordMonitor(sink))
}

func (p *PulseAudio) record(dev pulse.RecordOption) (Source, error) {
	c := &pulseCapture{chunks: make(chan []int16, 4096), done: make(chan struct{})}
	w := pulse.Int16Writer(func(b []int16) (int, error) {
		select {
		case c.chunks <- append([]int16(nil), b...):
		case <-c.done:
		default:
			c.overrun.Store(true) // the reader fell seconds behind; Read reports it
		}
		return len(b), nil
	})
	s, err := p.client.NewRecord(w, dev, pulse.RecordMono, pulse.RecordSampleRate(48000), pulse.RecordLatency(0.02))
	if err != nil {
		return nil, fmt.Errorf("open capture: %w", err)
	}
	c.stream = s
	s.Start()
	return c, nil
}

// OpenPlayback plays to a Pulse sink ("" = default).
func (p *PulseAudio) OpenPlayback(name string) (Sink, error) {
	var sink *pulse.Sink
	var err error
	if name == "" {
		sink, err = p.client.DefaultSink()
	} else {
		sink, err = p.client.SinkByID(name)
	}
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrDeviceMissing, name, err)
	}
	pb := &pulsePlayback{frames: make(chan []int16, 256), done: make(chan struct{})}
	r := pulse.Int16Reader(pb.fill)
	s, err := p.client.NewPlayback(r, pulse.PlaybackSink(sink), pulse.PlaybackMono, pulse.PlaybackSampleRate(48000), pulse.PlaybackLatency(0.2))
	if err != nil {
		return nil, fmt.Errorf("open playback: %w", err)
	}
	pb.stream = s
	s.Start()
	return pb, nil
}

type pulseCapture struct {
	stream  *pulse.RecordStream
	chunks  chan []int16
	rest    []int16
	done    chan struct{}
	once    sync.Once
	overrun atomic.Bool
}

func (c *pulseCapture) Read(frame []int16) error {
	n := 0
	for n < len(frame) {
		if len(c.rest) == 0 {
			select {
			case b := <-c.chunks:
				c.rest = b
			case <-c.done:
				return ErrClosed
			}
		}
		k := copy(frame[n:], c.rest)
		c.rest = c.rest[k:]
		n += k
	}
	if c.overrun.Load() {
		return errors.New("capture overrun: audio was lost")
	}
	return nil
}

func (c *pulseCapture) Close() error {
	c.once.Do(func() {
		close(c.done)
		c.stream.Stop()
		c.stream.Close()
	})
	return nil
}

type pulsePlayback struct {
	stream *pulse.PlaybackStream
	frames chan []int16
	cur    []int16
	done   chan struct{}
	once   sync.Once
}

// fill runs on the stream's goroutine: queued audio first, then silence, so
// the stream never underruns between writes.
func (p *pulsePlayback) fill(buf []int16) (int, error) {
	n := 0
	for n < len(buf) {
		if len(p.cur) == 0 {
			select {
			case f := <-p.frames:
				p.cur = f
				continue
			default:
			}
			clear(buf[n:])
			return len(buf), nil
		}
		k := copy(buf[n:], p.cur)
		p.cur = p.cur[k:]
		n += k
	}
	return n, nil
}

func (p *pulsePlayback) Write(frame []int16) error {
	select {
	case p.frames <- append([]int16(nil), frame...):
		return nil
	case <-p.done:
		return ErrClosed
	}
}

// Close deletes the stream. It skips PlaybackStream.Stop, which writes the
// library's state field unsynchronised with its feeder goroutine (a data
// race under -race); Close alone ends that goroutine.
func (p *pulsePlayback) Close() error {
	p.once.Do(func() {
		close(p.done)
		p.stream.Close()
	})
	return nil
}
