package wasapi

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Mode says what a Client does.
type Mode int

// Modes.
const (
	// Play renders to a render endpoint.
	Play Mode = iota
	// Record captures from a capture endpoint.
	Record
	// Loopback captures what a render endpoint plays: Windows' monitor.
	Loopback
)

const (
	streamFlagsLoopback       = 0x00020000
	streamFlagsEventCallback  = 0x00040000
	streamFlagsSrcDefault     = 0x08000000
	streamFlagsAutoConvertPCM = 0x80000000
	bufferFlagsSilent         = 0x2
	waveFormatPCM             = 1
	maxSamplesPerWASAPIPacket = 48000 // a second at 48 kHz: far above any real packet
)

// waveFormatEx is WAVEFORMATEX (cbSize 0: plain PCM).
type waveFormatEx struct {
	formatTag      uint16
	channels       uint16
	samplesPerSec  uint32
	avgBytesPerSec uint32
	blockAlign     uint16
	bitsPerSample  uint16
	cbSize         uint16
}

// Client is one shared-mode mono int16 stream on one endpoint. Create,
// use and Close it on the same Thread.
type Client struct {
	audio, render, capture *object
	event                  windows.Handle
	frames                 uint32 // buffer size in frames
	silence                []int16
	ID                     string // the endpoint's id
	Name                   string // its friendly name
}

// Open initialises a stream on endpoint id ("" = the default for
// DefaultRole) at rate Hz, mono 16-bit, with a buffer of about buffer. The
// audio engine converts from its mix format (AUTOCONVERTPCM).
func Open(id string, mode Mode, rate int, buffer time.Duration) (_ *Client, err error) {
	e, err := enumerator()
	if err != nil {
		return nil, err
	}
	defer e.release()
	flow := Capture
	if mode != Record {
		flow = Render
	}
	dev, err := device(e, id, flow)
	if err != nil {
		return nil, err
	}
	defer dev.release()
	c := &Client{Name: friendlyName(dev)}
	if c.ID, err = deviceID(dev); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if err := dev.call("activate audio client", unknownMethods+0, uintptr(unsafe.Pointer(&iidIAudioClient)), clsctxAll, 0, uintptr(unsafe.Pointer(&c.audio))); err != nil {
		return nil, err
	}
	wf := waveFormatEx{formatTag: waveFormatPCM, channels: 1, samplesPerSec: uint32(rate), avgBytesPerSec: uint32(rate * 2), blockAlign: 2, bitsPerSample: 16}
	flags := uint32(streamFlagsEventCallback | streamFlagsAutoConvertPCM | streamFlagsSrcDefault)
	if mode == Loopback {
		flags |= streamFlagsLoopback
	}
	dur := int64(buffer / 100) // REFERENCE_TIME is 100 ns
	init := func(flags uint32) error {
		return c.audio.call("initialise audio stream", unknownMethods+0, 0 /* shared */, uintptr(flags), uintptr(dur), 0,
			uintptr(unsafe.Pointer(&wf)), 0)
	}
	err = init(flags)
	var hr *HRESULTError
	if errors.As(err, &hr) && hr.Code == hrInvalidArg {
		// Audio engines older than Windows 8 reject AUTOCONVERTPCM.
		err = init(flags &^ (streamFlagsAutoConvertPCM | streamFlagsSrcDefault))
	}
	if err != nil {
		return nil, err
	}
	if err := c.audio.call("read buffer size", unknownMethods+1, uintptr(unsafe.Pointer(&c.frames))); err != nil {
		return nil, err
	}
	if c.event, err = windows.CreateEvent(nil, 0, 0, nil); err != nil {
		return nil, fmt.Errorf("create audio event: %w", err)
	}
	if err := c.audio.call("set audio event", unknownMethods+10, uintptr(c.event)); err != nil {
		return nil, err
	}
	iid, out := &iidIAudioCaptureClient, &c.capture
	if mode == Play {
		iid, out = &iidIAudioRenderClient, &c.render
	}
	if err := c.audio.call("get audio service", unknownMethods+11, uintptr(unsafe.Pointer(iid)), uintptr(unsafe.Pointer(out))); err != nil {
		return nil, err
	}
	c.silence = make([]int16, c.frames)
	if mode == Play {
		// Start with a buffer of silence, as the WASAPI samples do, so the
		// first period does not underrun.
		if err := c.Fill(func(out []int16) { clear(out) }); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// BufferFrames is the endpoint buffer's size in frames.
func (c *Client) BufferFrames() int { return int(c.frames) }

// Start starts the stream.
func (c *Client) Start() error { return c.audio.call("start audio stream", unknownMethods+7) }

// Wait blocks until the engine signals the stream or d passes; false on timeout.
func (c *Client) Wait(d time.Duration) bool {
	ev, _ := windows.WaitForSingleObject(c.event, uint32(d/time.Millisecond))
	return ev == windows.WAIT_OBJECT_0
}

// Drain hands every captured packet to fn (silent packets as zeros); the
// slice is only valid during the call.
func (c *Client) Drain(fn func(samples []int16)) error {
	for {
		var n uint32
		if err := c.capture.call("read captured packet size", unknownMethods+2, uintptr(unsafe.Pointer(&n))); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		var data *byte
		var frames, flags uint32
		if err := c.capture.call("read captured audio", unknownMethods+0, uintptr(unsafe.Pointer(&data)), uintptr(unsafe.Pointer(&frames)),
			uintptr(unsafe.Pointer(&flags)), 0, 0); err != nil {
			return err
		}
		if frames > 0 && frames <= maxSamplesPerWASAPIPacket {
			if flags&bufferFlagsSilent != 0 || data == nil {
				if int(frames) > len(c.silence) {
					c.silence = make([]int16, frames)
				}
				fn(c.silence[:frames])
			} else {
				fn(unsafe.Slice((*int16)(unsafe.Pointer(data)), frames))
			}
		}
		if err := c.capture.call("release captured audio", unknownMethods+1, uintptr(frames)); err != nil {
			return err
		}
	}
}

// Fill asks fn to fill all the room the render buffer has.
func (c *Client) Fill(fn func(out []int16)) error {
	var padding uint32
	if err := c.audio.call("read render padding", unknownMethods+3, uintptr(unsafe.Pointer(&padding))); err != nil {
		return err
	}
	room := c.frames - min(padding, c.frames)
	if room == 0 {
		return nil
	}
	var data *byte
	if err := c.render.call("get render buffer", unknownMethods+0, uintptr(room), uintptr(unsafe.Pointer(&data))); err != nil {
		return err
	}
	fn(unsafe.Slice((*int16)(unsafe.Pointer(data)), room))
	return c.render.call("release render buffer", unknownMethods+1, uintptr(room), 0)
}

// Close stops the stream and releases everything; safe on a partly opened
// Client.
func (c *Client) Close() {
	if c.audio != nil {
		_ = c.audio.call("stop audio stream", unknownMethods+8)
	}
	c.render.release()
	c.capture.release()
	c.audio.release()
	c.render, c.capture, c.audio = nil, nil, nil
	if c.event != 0 {
		windows.CloseHandle(c.event)
		c.event = 0
	}
}
