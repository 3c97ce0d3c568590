package sip

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/homeshore/homeshore/media"
)

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
	// RemoteDirection is the direction the other side gave its stream:
	// SendOnly or Inactive means it put us on hold.
	RemoteDirection media.Direction
	SRTP            *media.SRTP // keys when the media is encrypted
	Secure          bool        // the stream is RTP/SAVP
	Crypto          *Crypto     // our a=crypto line for this stream
	// Layout is the session's m= lines, Stream the index of our audio in
	// it; our later offers and answers keep them (RFC 3264 §8).
	Layout []Slot
	Stream int
	// PTAlias maps our offer's payload types to the answer's where the
	// answer renumbered them (see ptAlias); nil when it did not.
	PTAlias map[uint8]uint8
}

func (n Negotiation) cryptoLines() []Crypto {
	if n.Crypto == nil {
		return nil
	}
	return []Crypto{*n.Crypto}
}

// RemoteHold reports whether the other side's direction puts us on hold.
func (n Negotiation) RemoteHold() bool {
	return n.RemoteDirection == media.SendOnly || n.RemoteDirection == media.Inactive
}

// Answer answers an offer (RFC 3264 §6): the first audio stream with a
// codec in common carries our audio, with the first codec in our
// preference order the stream also has and the direction that answers
// theirs; every other m= line is refused in the answer, which keeps them
// all in order. want is the direction we would like (SendRecv, or
// SendOnly while we hold the call).
func Answer(offer RemoteSDP, prefs []media.Codec, want media.Direction) (Negotiation, error) {
	var firstErr error
	for i, s := range offer.Streams {
		if s.Problem != nil || s.Rejected {
			continue
		}
		n, err := answerStream(s, prefs, want)
		if err != nil {
			firstErr = cmpOr(firstErr, err)
			continue
		}
		n.Layout, n.Stream = offer.layout(), i
		return n, nil
	}
	if firstErr != nil {
		return Negotiation{}, firstErr
	}
	_, _, err := offer.Audio()
	return Negotiation{}, err
}

func answerStream(s RemoteMedia, prefs []media.Codec, want media.Direction) (Negotiation, error) {
	for _, ours := range prefs {
		for _, theirs := range s.Codecs {
			if sameCodec(ours, theirs) {
				return Negotiation{
					Codec: theirs, Remote: s.Addr, Secure: s.Secure,
					Direction: answerDirection(s.Direction, want), RemoteDirection: s.Direction,
					DTMF: pickDTMF(s.DTMF, theirs.ClockRate), RED: pickRED(s.Codecs, theirs),
				}, nil
			}
		}
	}
	return Negotiation{}, &CodecMismatchError{Ours: codecNames(prefs), Theirs: codecNames(s.Codecs)}
}

// AcceptAnswer reads the answer to our offer, whose audio was m= line
// stream: the codec is the first of theirs that we offered.
func AcceptAnswer(offered []media.Codec, answer RemoteSDP, stream int, want media.Direction) (Negotiation, error) {
	if stream < 0 || stream >= len(answer.Streams) {
		return Negotiation{}, fmt.Errorf("%w: the answer has %d m= lines, our audio was line %d", ErrBadSDP, len(answer.Streams), stream+1)
	}
	s := answer.Streams[stream]
	switch {
	case s.Media != "audio":
		return Negotiation{}, fmt.Errorf("%w: the answer has %s where we offered audio", ErrBadSDP, s.Media)
	case s.Rejected:
		return Negotiation{}, &CodecMismatchError{Ours: codecNames(offered), Theirs: nil}
	case s.Problem != nil:
		return Negotiation{}, s.Problem
	}
	for _, theirs := range s.Codecs {
		for _, ours := range offered {
			if sameCodec(ours, theirs) {
				return Negotiation{
					Codec: theirs, Remote: s.Addr, Secure: s.Secure, Stream: stream,
					Direction: answerDirection(s.Direction, want), RemoteDirection: s.Direction,
					DTMF: pickDTMF(s.DTMF, theirs.ClockRate),
					RED:  pickRED(s.Codecs, theirs), // we offer it with every Opus offer
				}, nil
			}
		}
	}
	return Negotiation{}, &CodecMismatchError{Ours: codecNames(offered), Theirs: codecNames(s.Codecs)}
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

// ptAlias maps the payload types of our offer to the answer's for the
// codec, DTMF and RED negotiated, where the answer renumbered them. We
// send with the answer's numbers; the far end, by RFC 3264 §5.1, sends
// with our offer's, and some send with their own: media takes both. A
// number of ours the answer uses for something else is left out.
func ptAlias(n Negotiation, offered []media.Codec, dtmf, red *media.Codec) map[uint8]uint8 {
	used := map[uint8]bool{n.Codec.PayloadType: true}
	if n.DTMF != nil {
		used[n.DTMF.PayloadType] = true
	}
	if n.RED != nil {
		used[n.RED.PayloadType] = true
	}
	var alias map[uint8]uint8
	add := func(ours, theirs media.Codec) {
		if ours.PayloadType == theirs.PayloadType || used[ours.PayloadType] {
			return
		}
		if alias == nil {
			alias = map[uint8]uint8{}
		}
		alias[ours.PayloadType] = theirs.PayloadType
	}
	for _, o := range offered {
		if sameCodec(o, n.Codec) {
			add(o, n.Codec)
			break
		}
	}
	if dtmf != nil && n.DTMF != nil && sameCodec(*dtmf, *n.DTMF) {
		add(*dtmf, *n.DTMF)
	}
	if red != nil && n.RED != nil && sameCodec(*red, *n.RED) {
		add(*red, *n.RED)
	}
	return alias
}
