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
}

// RemoteMedia is what the other side's SDP says about its audio stream.
type RemoteMedia struct {
	Addr      netip.AddrPort
	Codecs    []media.Codec // audio codecs in their order
	DTMF      []media.Codec // telephone-event entries, any clock rate
	Direction media.Direction
	// Rejected is true when the audio stream has port 0 (RFC 3264 §6).
	Rejected bool
	// Secure is true for an RTP/SAVP (or SAVPF) stream.
	Secure bool
	// Crypto holds the a=crypto lines we can use, in their order;
	// UnusableCrypto names the suites of the others.
	Crypto         []Crypto
	UnusableCrypto []string
}

// ErrBadSDP wraps every SDP the parser refuses.
var ErrBadSDP = errors.New("bad SDP")

// MarshalSDP writes an offer or answer for one audio stream.
func MarshalSDP(l LocalMedia) ([]byte, error) {
	ip := l.Addr.Addr().Unmap()
	addrType := "IP4"
	if ip.Is6() {
		addrType = "IP6"
	}
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
		MediaDescriptions: []*sdp.MediaDescription{{
			MediaName: sdp.MediaName{
				Media: "audio", Port: sdp.RangedPort{Value: int(l.Addr.Port())},
				Protos: []string{"RTP", profile}, Formats: formats,
			},
			Attributes: attrs,
		}},
	}
	return desc.Marshal()
}

func rtpmapValue(c media.Codec) string {
	if c.Channels > 1 {
		return fmt.Sprintf("%s/%d/%d", c.Name, c.ClockRate, c.Channels)
	}
	return fmt.Sprintf("%s/%d", c.Name, c.ClockRate)
}

// ParseSDP reads the first audio stream of an SDP body.
func ParseSDP(body []byte) (RemoteMedia, error) {
	var desc sdp.SessionDescription
	if err := desc.Unmarshal(body); err != nil {
		return RemoteMedia{}, fmt.Errorf("%w: %w", ErrBadSDP, err)
	}
	var md *sdp.MediaDescription
	for _, m := range desc.MediaDescriptions {
		if m.MediaName.Media == "audio" {
			md = m
			break
		}
	}
	if md == nil {
		return RemoteMedia{}, fmt.Errorf("%w: no audio stream", ErrBadSDP)
	}
	r := RemoteMedia{Direction: media.SendRecv}
	if p := md.MediaName.Protos; len(p) > 0 && strings.HasPrefix(strings.ToUpper(p[len(p)-1]), "SAVP") {
		r.Secure = true
	}
	if md.MediaName.Port.Value == 0 {
		r.Rejected = true
	}
	conn := desc.ConnectionInformation
	if md.ConnectionInformation != nil {
		conn = md.ConnectionInformation
	}
	if conn == nil || conn.Address == nil {
		return RemoteMedia{}, fmt.Errorf("%w: no connection address", ErrBadSDP)
	}
	host := strings.SplitN(conn.Address.Address, "/", 2)[0]
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return RemoteMedia{}, fmt.Errorf("%w: connection address %q is not an IP address", ErrBadSDP, host)
	}
	if md.MediaName.Port.Value < 0 || md.MediaName.Port.Value > 65535 {
		return RemoteMedia{}, fmt.Errorf("%w: port %d out of range", ErrBadSDP, md.MediaName.Port.Value)
	}
	r.Addr = netip.AddrPortFrom(ip, uint16(md.MediaName.Port.Value))
	if ip.IsUnspecified() {
		// RFC 2543 hold: c=0.0.0.0 means "do not send to me".
		r.Direction = media.SendOnly
	}

	rtpmaps, fmtps := map[uint8]string{}, map[uint8]string{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap", "fmtp":
			ptText, rest, _ := strings.Cut(a.Value, " ")
			pt, err := strconv.ParseUint(ptText, 10, 7)
			if err != nil {
				continue
			}
			if a.Key == "rtpmap" {
				rtpmaps[uint8(pt)] = rest
			} else {
				fmtps[uint8(pt)] = rest
			}
		case "crypto":
			if c, ok := parseCrypto(a.Value); ok {
				r.Crypto = append(r.Crypto, c)
			} else if f := strings.Fields(a.Value); len(f) > 1 {
				r.UnusableCrypto = append(r.UnusableCrypto, f[1])
			}
		case "sendrecv", "sendonly", "recvonly", "inactive":
			if d, err := media.ParseDirection(a.Key); err == nil && !ip.IsUnspecified() {
				r.Direction = d
			}
		}
	}
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		c, ok := codecFromRtpmap(uint8(pt), rtpmaps[uint8(pt)])
		if !ok {
			continue
		}
		c.Fmtp = fmtps[uint8(pt)]
		if strings.EqualFold(c.Name, telephoneEvent) {
			r.DTMF = append(r.DTMF, c)
		} else {
			r.Codecs = append(r.Codecs, c)
		}
	}
	return r, nil
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

// sameCodec compares by encoding name and clock rate, as RFC 3264 matches
// formats; payload numbers may differ between the two sides.
func sameCodec(a, b media.Codec) bool {
	return strings.EqualFold(a.Name, b.Name) && a.ClockRate == b.ClockRate
}

// Negotiation is the outcome of an offer/answer exchange for our side.
type Negotiation struct {
	Codec     media.Codec  // with the payload type the other side expects
	RED       *media.Codec // RFC 2198 redundancy for Codec; nil when not shared
	DTMF      *media.Codec // nil when telephone-event is not shared
	Remote    netip.AddrPort
	Direction media.Direction // our direction
	SRTP      *media.SRTP     // keys when the media is encrypted
	Secure    bool            // the stream is RTP/SAVP
	Crypto    *Crypto         // our a=crypto line for this stream
}

func (n Negotiation) cryptoLines() []Crypto {
	if n.Crypto == nil {
		return nil
	}
	return []Crypto{*n.Crypto}
}

// Answer chooses, from an offer, the first codec in our preference order
// that the offer also has, and the direction that answers theirs
// (RFC 3264 §6.1). want is the direction we would like (SendRecv, or
// SendOnly while we hold the call).
func Answer(offer RemoteMedia, prefs []media.Codec, want media.Direction) (Negotiation, error) {
	if offer.Rejected {
		return Negotiation{}, fmt.Errorf("%w: the offer's audio stream is disabled (port 0)", ErrBadSDP)
	}
	for _, ours := range prefs {
		for _, theirs := range offer.Codecs {
			if sameCodec(ours, theirs) {
				n := Negotiation{Codec: theirs, Remote: offer.Addr, Direction: answerDirection(offer.Direction, want)}
				n.DTMF = pickDTMF(offer.DTMF, theirs.ClockRate)
				n.RED = pickRED(offer.Codecs, theirs)
				return n, nil
			}
		}
	}
	return Negotiation{}, &CodecMismatchError{Ours: codecNames(prefs), Theirs: codecNames(offer.Codecs)}
}

// AcceptAnswer reads the answer to our offer: the codec is the first of
// theirs that we offered.
func AcceptAnswer(offered []media.Codec, answer RemoteMedia, want media.Direction) (Negotiation, error) {
	if answer.Rejected {
		return Negotiation{}, &CodecMismatchError{Ours: codecNames(offered), Theirs: nil}
	}
	for _, theirs := range answer.Codecs {
		for _, ours := range offered {
			if sameCodec(ours, theirs) {
				n := Negotiation{Codec: theirs, Remote: answer.Addr, Direction: answerDirection(answer.Direction, want)}
				n.DTMF = pickDTMF(answer.DTMF, theirs.ClockRate)
				n.RED = pickRED(answer.Codecs, theirs) // we offer it with every Opus offer
				return n, nil
			}
		}
	}
	return Negotiation{}, &CodecMismatchError{Ours: codecNames(offered), Theirs: codecNames(answer.Codecs)}
}

// pickRED finds RFC 2198 redundancy for primary among the other side's
// formats: red at the same clock rate whose fmtp (if any) names only the
// primary's payload type. We use it for Opus only.
func pickRED(cs []media.Codec, primary media.Codec) *media.Codec {
	if !strings.EqualFold(primary.Name, media.CodecOpus) {
		return nil
	}
	for i := range cs {
		c := cs[i]
		if !strings.EqualFold(c.Name, media.CodecRED) || c.ClockRate != primary.ClockRate {
			continue
		}
		ok := true
		if c.Fmtp != "" {
			for _, pt := range strings.Split(c.Fmtp, "/") {
				ok = ok && strings.TrimSpace(pt) == strconv.Itoa(int(primary.PayloadType))
			}
		}
		if ok {
			return &c
		}
	}
	return nil
}

// pickDTMF prefers telephone-event at the audio clock rate, else 8000 Hz.
func pickDTMF(events []media.Codec, audioRate uint32) *media.Codec {
	var fallback *media.Codec
	for i := range events {
		if events[i].ClockRate == audioRate {
			return &events[i]
		}
		if fallback == nil {
			fallback = &events[i]
		}
	}
	return fallback
}

// answerDirection intersects the far end's direction with ours.
func answerDirection(theirs, want media.Direction) media.Direction {
	weSend := want == media.SendRecv || want == media.SendOnly
	weRecv := want == media.SendRecv || want == media.RecvOnly
	theySend := theirs == media.SendRecv || theirs == media.SendOnly
	theyRecv := theirs == media.SendRecv || theirs == media.RecvOnly
	send, recv := weSend && theyRecv, weRecv && theySend
	switch {
	case send && recv:
		return media.SendRecv
	case send:
		return media.SendOnly
	case recv:
		return media.RecvOnly
	default:
		return media.Inactive
	}
}

func codecNames(cs []media.Codec) []string {
	names := make([]string, 0, len(cs))
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}
