package media

import (
	"fmt"
	"strings"
	"time"
)

// Audio frame format used everywhere in Homeshore.
const (
	SampleRate    = 48000
	FrameSamples  = 960 // 20 ms mono at SampleRate
	FrameDuration = 20 * time.Millisecond
)

// Codec is an RTP payload format as negotiated in SDP; PayloadType may be
// the remote's dynamic payload type.
type Codec struct {
	Name        string // SDP encoding name: "opus", "PCMU", "PCMA", "telephone-event"
	PayloadType uint8
	ClockRate   uint32
	Channels    uint16 // opus says 2 in SDP; we always encode and decode mono
	Fmtp        string
}

// String gives the SDP rtpmap form, e.g. "opus/48000/2 (pt 111)".
func (c Codec) String() string {
	s := fmt.Sprintf("%s/%d", c.Name, c.ClockRate)
	if c.Channels > 1 {
		s += fmt.Sprintf("/%d", c.Channels)
	}
	return fmt.Sprintf("%s (pt %d)", s, c.PayloadType)
}

// Names of the payload formats we implement.
const (
	CodecOpus           = "opus"
	CodecPCMU           = "PCMU"
	CodecPCMA           = "PCMA"
	CodecTelephoneEvent = "telephone-event"
)

func opusCodec() Codec {
	return Codec{Name: CodecOpus, PayloadType: 111, ClockRate: 48000, Channels: 2, Fmtp: "minptime=10;useinbandfec=1"}
}
func pcmuCodec() Codec { return Codec{Name: CodecPCMU, PayloadType: 0, ClockRate: 8000, Channels: 1} }
func pcmaCodec() Codec { return Codec{Name: CodecPCMA, PayloadType: 8, ClockRate: 8000, Channels: 1} }

// DefaultCodecs lists the audio codecs we offer, best first. Opus is left
// out when this build has no libopus (built without cgo).
func DefaultCodecs() []Codec {
	var cs []Codec
	if opusAvailable {
		cs = append(cs, opusCodec())
	}
	return append(cs, pcmuCodec(), pcmaCodec())
}

// DefaultTelephoneEvent is the RFC 4733 DTMF payload format we offer.
func DefaultTelephoneEvent() Codec {
	return Codec{Name: CodecTelephoneEvent, PayloadType: 101, ClockRate: 8000, Channels: 1, Fmtp: "0-16"}
}

// TelephoneEventFor is the telephone-event format to pair with an audio
// codec of the given clock rate: PT 101 at 8000 Hz (G.711), or PT 110 at
// 48000 Hz alongside Opus, so DTMF timestamps and durations share the
// audio stream's clock as RFC 4733 expects.
func TelephoneEventFor(clockRate uint32) Codec {
	if clockRate == 48000 {
		return Codec{Name: CodecTelephoneEvent, PayloadType: 110, ClockRate: 48000, Channels: 1, Fmtp: "0-16"}
	}
	return DefaultTelephoneEvent()
}

// LookupCodec maps a user-facing name ("opus", "pcmu", "pcma", any case) to
// its default Codec. Opus is found even when not compiled in, so callers can
// tell "unknown" from "unavailable" (see CodecAvailable).
func LookupCodec(name string) (Codec, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "opus":
		return opusCodec(), true
	case "pcmu", "g711u", "ulaw":
		return pcmuCodec(), true
	case "pcma", "g711a", "alaw":
		return pcmaCodec(), true
	}
	return Codec{}, false
}

// CodecAvailable reports whether this build can encode and decode c.
func CodecAvailable(c Codec) bool {
	switch {
	case strings.EqualFold(c.Name, CodecOpus):
		return opusAvailable
	case strings.EqualFold(c.Name, CodecPCMU), strings.EqualFold(c.Name, CodecPCMA):
		return true
	}
	return false
}

// encoder turns one 20 ms 48 kHz frame into one RTP payload.
type encoder interface {
	Encode(frame []int16, out []byte) (int, error)
	// SetPacketLossPerc tells the encoder how much loss the peer reports.
	SetPacketLossPerc(pct int)
	// SetBitrate changes the target bitrate where the codec has one.
	SetBitrate(bps int)
	// RTPSamples is how far the RTP timestamp advances per frame.
	RTPSamples() uint32
	String() string
	Close()
}

// decoder turns RTP payloads back into 48 kHz samples.
type decoder interface {
	// Decode writes the payload's samples into pcm and returns how many.
	Decode(payload []byte, pcm []int16) (int, error)
	// DecodeFEC rebuilds a lost frame from the redundancy carried in the
	// next packet; ok is false when the codec has no such redundancy.
	DecodeFEC(next []byte, pcm []int16) (ok bool, err error)
	// Conceal fills pcm with a guess for a lost frame.
	Conceal(pcm []int16) error
	String() string
	Close()
}

// maxDecodedSamples bounds one payload's decoded length (120 ms, Opus' max).
const maxDecodedSamples = 6 * FrameSamples

func newEncoder(c Codec, bitrate int) (encoder, error) {
	switch {
	case strings.EqualFold(c.Name, CodecOpus):
		return newOpusEncoder(bitrate)
	case strings.EqualFold(c.Name, CodecPCMU):
		return newG711Encoder(true), nil
	case strings.EqualFold(c.Name, CodecPCMA):
		return newG711Encoder(false), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownCodec, c.Name)
}

func newDecoder(c Codec) (decoder, error) {
	switch {
	case strings.EqualFold(c.Name, CodecOpus):
		return newOpusDecoder()
	case strings.EqualFold(c.Name, CodecPCMU):
		return newG711Decoder(true), nil
	case strings.EqualFold(c.Name, CodecPCMA):
		return newG711Decoder(false), nil
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownCodec, c.Name)
}
