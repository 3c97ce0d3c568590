package sip

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/homeshore/homeshore/media"
)

// telephoneEvent is the SDP encoding name of RFC 4733 DTMF.
const telephoneEvent = "telephone-event"

// rtpProfiles are the m= transports our audio can use; SAVP ones carry
// SDES keys (a=crypto). Others (UDP/TLS/RTP/SAVP, TCP/...) are refused.
var rtpProfiles = []string{"RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF"}

// Slot is one m= line of a session, kept in order across offers and
// answers (RFC 3264 §6, §8): our audio in one, the streams we refused
// (video, a second audio, an unknown transport) with port 0.
type Slot struct {
	Media   string   // audio, video, application...
	Proto   string   // RTP/AVP, TCP/BFCP...
	Formats []string // as the offer listed them
}

// LocalMedia is our side of an SDP offer or answer.
type LocalMedia struct {
	Addr      netip.AddrPort
	Codecs    []media.Codec // audio, in our order of preference
	RED       *media.Codec  // RFC 2198 redundancy for the Opus codec, offered after the codecs
	DTMF      *media.Codec
	Direction media.Direction
	SessionID uint64
	Version   uint64
	Secure    bool     // RTP/SAVP instead of RTP/AVP
	Crypto    []Crypto // a=crypto lines (SDES keys)
	// Layout is the session's m= lines and Stream the one that is our
	// audio; every other one is written refused (port 0). Empty: one audio
	// stream (a new offer).
	Layout []Slot
	Stream int
}

// RemoteMedia is one m= line of the other side's SDP, with the
// session-level defaults applied: the session c= unless the stream has
// its own, the session direction attribute unless the stream has its own
// (RFC 4566 §5.7, §6), and the old hold convention c=0.0.0.0.
type RemoteMedia struct {
	Media   string
	Proto   string
	Formats []string

	Addr      netip.AddrPort
	Codecs    []media.Codec // audio codecs in their order
	DTMF      []media.Codec // telephone-event entries, any clock rate
	Direction media.Direction
	// Rejected is true when the stream has port 0 (RFC 3264 §6).
	Rejected bool
	// Secure is true for an RTP/SAVP (or SAVPF) stream.
	Secure bool
	// Crypto holds the a=crypto lines we can use, in their order;
	// UnusableCrypto names the suites of the others.
	Crypto         []Crypto
	UnusableCrypto []string
	// Problem says why this stream cannot carry our audio (another media
	// type, a transport we lack, no usable address); nil when it can.
	Problem error
}

// RemoteSDP is the other side's whole offer or answer.
type RemoteSDP struct {
	Streams []RemoteMedia
}

// Audio returns the first stream that can carry our audio (not refused),
// or why there is none.
func (s RemoteSDP) Audio() (RemoteMedia, int, error) {
	var why error
	for i, m := range s.Streams {
		switch {
		case m.Problem != nil:
			why = cmpOr(why, m.Problem)
		case m.Rejected:
			why = cmpOr(why, fmt.Errorf("%w: the audio stream is disabled (port 0)", ErrBadSDP))
		default:
			return m, i, nil
		}
	}
	if why == nil {
		why = fmt.Errorf("%w: no audio stream", ErrBadSDP)
	}
	return RemoteMedia{}, -1, why
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// layout is the m= lines of the SDP, for an answer with as many.
func (s RemoteSDP) layout() []Slot {
	out := make([]Slot, len(s.Streams))
	for i, m := range s.Streams {
		out[i] = Slot{Media: m.Media, Proto: m.Proto, Formats: m.Formats}
	}
	return out
}

// ErrBadSDP wraps every SDP the parser refuses.
var ErrBadSDP = errors.New("bad SDP")

// MarshalSDP writes an offer or answer: our audio stream, and every other
// slot of the layout refused with port 0.
func MarshalSDP(l LocalMedia) ([]byte, error) {
	ip := l.Addr.Addr().Unmap()
	addrType := "IP4"
	if ip.Is6() {
		addrType = "IP6"
	}
	layout, stream := l.Layout, l.Stream
	if len(layout) == 0 {
		layout, stream = []Slot{{Media: "audio"}}, 0
	}
	desc := sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "homeshore", SessionID: l.SessionID, SessionVersion: l.Version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: ip.String(),
		},
		SessionName: "homeshore",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: ip.String()},
		},
		TimeDescriptions: []sdp.TimeDescription{{}},
	}
	for i, slot := range layout {
		if i == stream {
			desc.MediaDescriptions = append(desc.MediaDescriptions, audioDescription(l, slot.Proto))
			continue
		}
		desc.MediaDescriptions = append(desc.MediaDescriptions, refusedDescription(slot))
	}
	return desc.Marshal()
}

// audioDescription is our audio m= line; proto is the offer's when we
// answer one (keeping its feedback profile), else AVP or SAVP.
func audioDescription(l LocalMedia, proto string) *sdp.MediaDescription {
	formats := make([]string, 0, len(l.Codecs)+1)
	attrs := make([]sdp.Attribute, 0, 2*len(l.Codecs)+4)
	add := func(c media.Codec) {
		pt := strconv.Itoa(int(c.PayloadType))
		formats = append(formats, pt)
		attrs = append(attrs, sdp.NewAttribute("rtpmap", fmt.Sprintf("%s %s", pt, rtpmapValue(c))))
		if c.Fmtp != "" {
			attrs = append(attrs, sdp.NewAttribute("fmtp", pt+" "+c.Fmtp))
		}
	}
	for _, c := range l.Codecs {
		add(c)
	}
	if l.RED != nil {
		add(*l.RED)
	}
	if l.DTMF != nil {
		add(*l.DTMF)
	}
	attrs = append(attrs, sdp.NewAttribute("ptime", "20"), sdp.NewPropertyAttribute(l.Direction.String()))
	for _, c := range l.Crypto {
		attrs = append(attrs, sdp.NewAttribute("crypto", c.attribute()))
	}
	profile := "AVP"
	if l.Secure {
		profile = "SAVP"
	}
	if strings.HasSuffix(strings.ToUpper(proto), "PF") {
		profile += "F"
	}
	return &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media: "audio", Port: sdp.RangedPort{Value: int(l.Addr.Port())},
			Protos: []string{"RTP", profile}, Formats: formats,
		},
		Attributes: attrs,
	}
}

// refusedDescription is an offered stream we refuse: port 0, its
// transport and formats as offered (at least one, as SDP requires).
func refusedDescription(s Slot) *sdp.MediaDescription {
	formats := s.Formats
	if len(formats) == 0 {
		formats = []string{"0"}
	}
	proto := s.Proto
	if proto == "" {
		proto = "RTP/AVP"
	}
	return &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media: s.Media, Port: sdp.RangedPort{Value: 0},
			Protos: strings.Split(proto, "/"), Formats: formats,
		},
	}
}

func rtpmapValue(c media.Codec) string {
	if c.Channels > 1 {
		return fmt.Sprintf("%s/%d/%d", c.Name, c.ClockRate, c.Channels)
	}
	return fmt.Sprintf("%s/%d", c.Name, c.ClockRate)
}

// codecFromRtpmap decodes "PCMU/8000" or "opus/48000/2"; static payload
// types 0 and 8 need no rtpmap (RFC 3551).
func codecFromRtpmap(pt uint8, rtpmap string) (media.Codec, bool) {
	if rtpmap == "" {
		switch pt {
		case 0:
			return media.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}, true
		case 8:
			return media.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}, true
		}
		return media.Codec{Name: "pt" + strconv.Itoa(int(pt)), PayloadType: pt}, true
	}
	parts := strings.Split(strings.TrimSpace(rtpmap), "/")
	c := media.Codec{Name: parts[0], PayloadType: pt, Channels: 1}
	if len(parts) > 1 {
		rate, err := strconv.ParseUint(parts[1], 10, 32)
		if err != nil {
			return media.Codec{}, false
		}
		c.ClockRate = uint32(rate)
	}
	if len(parts) > 2 {
		ch, err := strconv.ParseUint(parts[2], 10, 16)
		if err != nil {
			return media.Codec{}, false
		}
		c.Channels = uint16(ch)
	}
	return c, true
}
