package sip

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"

	"github.com/homeshore/homeshore/media"
)

// ParseSDP reads every m= line of an SDP body. It fails only on a body
// that is not SDP or has no m= line; a stream that cannot carry our audio
// says why in its Problem.
func ParseSDP(body []byte) (RemoteSDP, error) {
	body, foreign := maskForeignMedia(body)
	var desc sdp.SessionDescription
	if err := desc.Unmarshal(body); err != nil {
		// pion/sdp wants every line in RFC 4566's order; some devices send
		// lines out of order, leave out s= or t=, or pad the body with NULs.
		// Their SDP is read in canonical order rather than refused.
		desc = sdp.SessionDescription{}
		if lerr := desc.Unmarshal(canonicalSDP(body)); lerr != nil {
			return RemoteSDP{}, fmt.Errorf("%w: %w", ErrBadSDP, err)
		}
	}
	if len(desc.MediaDescriptions) == 0 {
		return RemoteSDP{}, fmt.Errorf("%w: no m= line", ErrBadSDP)
	}
	sessionDir, _ := direction(desc.Attributes)
	out := RemoteSDP{Streams: make([]RemoteMedia, 0, len(desc.MediaDescriptions))}
	for i, md := range desc.MediaDescriptions {
		if slot, ok := foreign[i]; ok {
			out.Streams = append(out.Streams, RemoteMedia{Media: slot.Media, Proto: slot.Proto, Formats: slot.Formats,
				Rejected: md.MediaName.Port.Value == 0,
				Problem:  fmt.Errorf("%w: a %s stream over %s (we only take audio over RTP)", ErrBadSDP, slot.Media, slot.Proto)})
			continue
		}
		out.Streams = append(out.Streams, parseStream(&desc, md, sessionDir))
	}
	return out, nil
}

// pion/sdp (v3.0.20) refuses a whole SDP for one m= line whose media type
// or transport it does not list, such as a T.38 fax stream ("m=image 4300
// udptl t38", RFC 6466). RFC 4566 wants such a stream answered refused, not
// the session failed. maskForeignMedia hands pion a neutral stand-in
// ("m=application PORT UDP FORMATS") for each such line and returns the
// originals by index, to be restored and refused.
func maskForeignMedia(body []byte) ([]byte, map[int]Slot) {
	lines := strings.SplitAfter(string(body), "\n")
	var foreign map[int]Slot
	index := -1
	for i, l := range lines {
		if !strings.HasPrefix(l, "m=") {
			continue
		}
		index++
		f := strings.Fields(strings.TrimPrefix(l, "m="))
		if len(f) < 3 || (pionMedia(f[0]) && pionProto(f[2])) {
			continue
		}
		if foreign == nil {
			foreign = map[int]Slot{}
		}
		foreign[index] = Slot{Media: f[0], Proto: f[2], Formats: f[3:]}
		formats := f[3:]
		if len(formats) == 0 {
			formats = []string{"-"}
		}
		end := l[len(strings.TrimRight(l, "\r\n")):]
		lines[i] = "m=application " + f[1] + " UDP " + strings.Join(formats, " ") + end
	}
	if foreign == nil {
		return body, nil
	}
	return []byte(strings.Join(lines, "")), foreign
}

func pionMedia(m string) bool {
	return slices.Contains([]string{"audio", "video", "text", "application", "message"}, m)
}

func pionProto(p string) bool {
	for part := range strings.SplitSeq(p, "/") {
		if !slices.Contains([]string{"UDP", "RTP", "AVP", "SAVP", "SAVPF", "TLS", "DTLS", "SCTP", "AVPF", "TCP", "MSRP", "BFCP", "UDT", "IX", "MRCPv2", "FEC"}, part) {
			return false
		}
	}
	return true
}

// direction reads the direction attribute among attrs (the last one wins,
// as for any repeated property); ok is false when there is none.
func direction(attrs []sdp.Attribute) (media.Direction, bool) {
	dir, ok := media.SendRecv, false
	for _, a := range attrs {
		if d, err := media.ParseDirection(strings.TrimSpace(a.Key)); err == nil {
			dir, ok = d, true
		}
	}
	return dir, ok
}

// parseStream reads one m= line with the session's defaults.
func parseStream(desc *sdp.SessionDescription, md *sdp.MediaDescription, sessionDir media.Direction) RemoteMedia {
	r := RemoteMedia{
		Media:     strings.ToLower(md.MediaName.Media),
		Proto:     strings.Join(md.MediaName.Protos, "/"),
		Formats:   md.MediaName.Formats,
		Direction: sessionDir,
		Rejected:  md.MediaName.Port.Value == 0,
	}
	if d, ok := direction(md.Attributes); ok {
		r.Direction = d
	}
	switch {
	case r.Media != "audio":
		r.Problem = fmt.Errorf("%w: a %s stream (we only take audio)", ErrBadSDP, r.Media)
		return r
	case !slices.ContainsFunc(rtpProfiles, func(p string) bool { return strings.EqualFold(p, r.Proto) }):
		r.Problem = fmt.Errorf("%w: audio over %s (we use %s)", ErrBadSDP, r.Proto, strings.Join(rtpProfiles, ", "))
		return r
	case md.MediaName.Port.Value < 0 || md.MediaName.Port.Value > 65535:
		r.Problem = fmt.Errorf("%w: port %d out of range", ErrBadSDP, md.MediaName.Port.Value)
		return r
	}
	r.Secure = strings.Contains(strings.ToUpper(r.Proto), "SAVP")
	conn := desc.ConnectionInformation
	if md.ConnectionInformation != nil {
		conn = md.ConnectionInformation
	}
	if conn == nil || conn.Address == nil {
		r.Problem = fmt.Errorf("%w: no connection address (c=) for the audio stream", ErrBadSDP)
		return r
	}
	host := strings.SplitN(conn.Address.Address, "/", 2)[0] // multicast TTL/count
	ip, err := netip.ParseAddr(host)
	if err != nil {
		r.Problem = fmt.Errorf("%w: connection address %q is not an IP address", ErrBadSDP, host)
		return r
	}
	r.Addr = netip.AddrPortFrom(ip, uint16(md.MediaName.Port.Value))
	if ip.IsUnspecified() {
		// RFC 2543 hold (RFC 3264 §8.4): c=0.0.0.0 means "do not send to
		// me", whatever the direction attribute says about their sending.
		switch r.Direction {
		case media.SendRecv:
			r.Direction = media.SendOnly
		case media.RecvOnly:
			r.Direction = media.Inactive
		}
	}
	parseCodecs(md, &r)
	return r
}

// parseCodecs reads the audio formats, their rtpmap and fmtp lines, and
// the SDES crypto lines.
func parseCodecs(md *sdp.MediaDescription, r *RemoteMedia) {
	rtpmaps, fmtps := map[uint8]string{}, map[uint8]string{}
	for _, a := range md.Attributes {
		switch strings.TrimSpace(a.Key) {
		case "rtpmap", "fmtp":
			ptText, rest, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
			pt, err := strconv.ParseUint(ptText, 10, 7)
			if err != nil {
				continue
			}
			if strings.TrimSpace(a.Key) == "rtpmap" {
				rtpmaps[uint8(pt)] = strings.TrimSpace(rest)
			} else {
				fmtps[uint8(pt)] = strings.TrimSpace(rest)
			}
		case "crypto":
			if c, ok := parseCrypto(a.Value); ok {
				r.Crypto = append(r.Crypto, c)
			} else if f := strings.Fields(a.Value); len(f) > 1 {
				r.UnusableCrypto = append(r.UnusableCrypto, f[1])
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
}

// sessionOrder and mediaOrder rank SDP line types in the order RFC 4566
// §5 lists them; anything else comes last, in its place.
const (
	sessionOrder = "vosiuepcbtrzka"
	mediaOrder   = "micbka"
)

// canonicalSDP rewrites a body into the line order RFC 4566 requires,
// adds the v=, o=, s= and t= lines it requires when missing (we use none
// of them), and drops trailing NULs and blank lines. Order within one
// line type is kept.
func canonicalSDP(body []byte) []byte {
	text := strings.TrimRight(string(body), "\x00 \t\r\n")
	var sections [][]string // the session, then one per m= line
	sections = append(sections, nil)
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		l = strings.TrimRight(l, "\x00 \t\r")
		if len(l) < 2 || l[1] != '=' {
			continue
		}
		if l[0] == 'm' {
			sections = append(sections, nil)
		}
		sections[len(sections)-1] = append(sections[len(sections)-1], l)
	}
	session := sections[0]
	has := func(typ byte) bool {
		return slices.ContainsFunc(session, func(l string) bool { return l[0] == typ })
	}
	if !has('v') {
		session = append(session, "v=0")
	}
	if !has('o') {
		session = append(session, "o=- 0 0 IN IP4 0.0.0.0")
	}
	if !has('s') {
		session = append(session, "s=-")
	}
	if !has('t') {
		session = append(session, "t=0 0")
	}
	var b strings.Builder
	for i, sec := range sections {
		order := mediaOrder
		if i == 0 {
			sec, order = session, sessionOrder
		}
		slices.SortStableFunc(sec, func(a, b string) int { return rank(order, a[0]) - rank(order, b[0]) })
		for _, l := range sec {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
	}
	return []byte(b.String())
}

func rank(order string, typ byte) int {
	if i := strings.IndexByte(order, typ); i >= 0 {
		return i
	}
	return len(order)
}
