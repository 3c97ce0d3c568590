package media

import (
	"encoding/binary"
	"errors"
	"strconv"
)

// RFC 2198 redundant audio (RED). A RED packet carries the current frame
// (primary) and an older one (redundant), each block with its payload
// type; redundant blocks say how far back they are in timestamp units:
//
//	|F|  block PT  |  timestamp offset (14)  | block length (10) |  (F=1: redundant)
//	|0|  block PT  |                                             (primary)
//	redundant data ... primary data
//
// We send one redundant block, maxDupDelay frames back at most, when the
// loss adaptation asks for redundancy and the peer negotiated red/48000;
// that is time-diverse duplication inside the stream, at half the packet
// rate of sending copies. pion/rtp has no RED codec, hence this file.

// REDCodec is the RED payload format we offer alongside Opus
// (red/48000/2 with the Opus payload type as primary and redundant
// encoding, RFC 2198 section 5).
func REDCodec(primary Codec) Codec {
	return Codec{Name: CodecRED, PayloadType: 63, ClockRate: primary.ClockRate, Channels: primary.Channels,
		Fmtp: strconv.Itoa(int(primary.PayloadType)) + "/" + strconv.Itoa(int(primary.PayloadType))}
}

// CodecRED is the SDP encoding name of RFC 2198 redundancy.
const CodecRED = "red"

// errBadRED wraps every RED payload that cannot be parsed.
var errBadRED = errors.New("media: malformed RFC 2198 payload")

// redBlock is one block of a RED payload.
type redBlock struct {
	pt     uint8
	offset uint32 // timestamp offset back from the packet's timestamp
	data   []byte // a slice of the payload
}

// maxREDBlocks bounds the blocks parsed from one packet.
const maxREDBlocks = 8

// parseRED splits payload into blocks (redundant ones first, the primary
// last) into out, which it returns resliced.
func parseRED(payload []byte, out []redBlock) ([]redBlock, error) {
	out = out[:0]
	type hdr struct {
		pt     uint8
		offset uint32
		length int
	}
	var hdrs [maxREDBlocks]hdr
	n, i := 0, 0
	for {
		if i >= len(payload) || n == maxREDBlocks {
			return nil, errBadRED
		}
		b := payload[i]
		if b&0x80 == 0 { // the primary's one-byte header ends the list
			hdrs[n] = hdr{pt: b & 0x7f, length: -1}
			n++
			i++
			break
		}
		if i+4 > len(payload) {
			return nil, errBadRED
		}
		v := binary.BigEndian.Uint32(payload[i:])
		hdrs[n] = hdr{pt: uint8(v>>24) & 0x7f, offset: v >> 10 & 0x3fff, length: int(v & 0x3ff)}
		n++
		i += 4
	}
	for k := range n {
		h := hdrs[k]
		l := h.length
		if l < 0 {
			l = len(payload) - i // the primary takes the rest
		}
		if i+l > len(payload) {
			return nil, errBadRED
		}
		out = append(out, redBlock{pt: h.pt, offset: h.offset, data: payload[i : i+l]})
		i += l
	}
	return out, nil
}

// appendRED writes a RED payload with one redundant block (if red is not
// empty) and the primary into dst.
func appendRED(dst []byte, pt uint8, offset uint32, red, primary []byte) ([]byte, bool) {
	if len(red) > 0 {
		if offset >= 1<<14 || len(red) >= 1<<10 {
			return dst, false
		}
		dst = binary.BigEndian.AppendUint32(dst, 1<<31|uint32(pt&0x7f)<<24|offset<<10|uint32(len(red)))
	}
	dst = append(dst, pt&0x7f)
	dst = append(dst, red...)
	return append(dst, primary...), true
}
