package media

import (
	"encoding/binary"
	"strings"
)

// RFC 4733 telephone events for DTMF.

const (
	dtmfDigits       = "0123456789*#ABCD"
	dtmfToneDuration = 100 // ms of tone per digit
	dtmfPauseFrames  = 3   // 60 ms of audio between digits
	dtmfEndRepeats   = 3
	dtmfVolume       = 10 // -10 dBm0
)

// dtmfEvent maps a digit to its RFC 4733 event code.
func dtmfEvent(r rune) (byte, bool) {
	i := strings.IndexRune(dtmfDigits, r)
	if i < 0 {
		i = strings.IndexRune(strings.ToLower(dtmfDigits), r)
	}
	if i < 0 {
		return 0, false
	}
	return byte(i), true
}

// dtmfPayload is one telephone-event payload.
type dtmfPayload struct {
	Event    byte
	End      bool
	Volume   byte
	Duration uint16
}

func (p dtmfPayload) marshal(b []byte) int {
	b[0] = p.Event
	b[1] = p.Volume & 0x3f
	if p.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], p.Duration)
	return 4
}

func parseDTMF(b []byte) (dtmfPayload, bool) {
	if len(b) < 4 {
		return dtmfPayload{}, false
	}
	return dtmfPayload{Event: b[0], End: b[1]&0x80 != 0, Volume: b[1] & 0x3f, Duration: binary.BigEndian.Uint16(b[2:])}, true
}

// dtmfSender turns queued digits into packets, one per 20 ms frame slot:
// a start packet with the marker bit, updates every frame until the tone
// has lasted dtmfToneDuration, three end packets, then a pause of audio.
type dtmfSender struct {
	active   bool
	event    byte
	ts       uint32
	duration uint32
	endSent  int
	pause    int
}

// next decides what the current frame slot carries. audioTS is the RTP
// timestamp the audio frame would have; step is one frame in the
// telephone-event clock. ok is false when the slot carries audio.
func (d *dtmfSender) next(queue <-chan rune, audioTS, step, clockRate uint32, out []byte) (n int, ts uint32, marker, ok bool) {
	if !d.active {
		if d.pause > 0 {
			d.pause--
			return 0, 0, false, false
		}
		var r rune
		select {
		case r = <-queue:
		default:
			return 0, 0, false, false
		}
		ev, _ := dtmfEvent(r) // checked when queued
		*d = dtmfSender{active: true, event: ev, ts: audioTS, duration: step}
		return dtmfPayload{Event: ev, Volume: dtmfVolume, Duration: uint16(d.duration)}.marshal(out), d.ts, true, true
	}
	if d.endSent == 0 {
		d.duration += step
		if d.duration >= clockRate*dtmfToneDuration/1000 {
			d.endSent = 1
		}
	} else {
		d.endSent++
	}
	p := dtmfPayload{Event: d.event, Volume: dtmfVolume, Duration: uint16(min(d.duration, 0xffff)), End: d.endSent > 0}
	n = p.marshal(out)
	if d.endSent >= dtmfEndRepeats {
		d.active = false
		d.pause = dtmfPauseFrames
	}
	return n, d.ts, false, true
}

// dtmfReceiver reports each event once: on its first packet, whatever kind
// it is, recognised by its timestamp.
type dtmfReceiver struct {
	have bool
	ts   uint32
	ssrc uint32
}

func (d *dtmfReceiver) receive(ssrc, ts uint32, payload []byte) (rune, bool) {
	p, ok := parseDTMF(payload)
	if !ok || int(p.Event) >= len(dtmfDigits) {
		return 0, false
	}
	if d.have && d.ts == ts && d.ssrc == ssrc {
		return 0, false
	}
	d.have, d.ts, d.ssrc = true, ts, ssrc
	return rune(dtmfDigits[p.Event]), true
}
