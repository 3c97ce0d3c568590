package sip

import (
	"bytes"
	"net"
	"strings"
	"unicode"

	"github.com/emiago/sipgo/sip"
)

// A UDP request sipgo cannot parse (a malformed start line, a negative or
// overlong Content-Length, a header value out of range) is dropped by
// sipgo without a word: the sender retransmits for 32 s and reports a
// timeout. RFC 4475 §3.1.2 wants a 400 wherever one can be built (416 for
// a Request-URI scheme we do not know). We build it from the headers a
// response copies, when those read back the same (see answerable).

// screenDatagram decides, before sipgo reads it, what becomes of one UDP
// datagram: true passes it on; a request too broken for sipgo is answered
// here when a valid response can be built, else dropped.
func (u *UA) screenDatagram(from net.Addr, data []byte) bool {
	msg, err := u.parser.ParseSIP(data)
	if err == nil {
		req, ok := msg.(*sip.Request)
		if ok && !answerable(u.parser, req) {
			u.log.Warn("dropping a request too malformed to answer", "from", from)
			return false
		}
		return true
	}
	res := salvageResponse(u.parser, data, err)
	if res == nil {
		u.log.Warn("dropping an unreadable message", "from", from, "error", err)
		return false
	}
	u.log.Info("answering a malformed request", "from", from, "code", res.StatusCode, "error", err)
	if pc, ok := u.listener.(net.PacketConn); ok && from != nil {
		conn := &sip.UDPConnection{PacketConn: pc} // writes as sipgo does, --sip-trace included
		if _, werr := conn.WriteTo([]byte(res.String()), from); werr != nil {
			u.log.Warn("answering a malformed request", "error", werr)
		}
	}
	return false
}

// salvageResponse builds the answer to a request sipgo could not parse
// (parseErr), or nil when it is no request or no valid response can be
// built for it.
func salvageResponse(parser *sip.Parser, data []byte, parseErr error) *sip.Response {
	head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	if len(lines) < 2 || strings.HasPrefix(lines[0], "SIP/") {
		return nil
	}
	code, reason, why := judgeRequestLine(lines[0])
	if why == "" {
		why = "malformed request: " + parseErr.Error()
	}
	// The headers alone, under a request line sipgo reads, without the
	// Content-Length that may be what broke.
	var b strings.Builder
	b.WriteString("OPTIONS sip:invalid SIP/2.0\r\n")
	skipping := false
	for _, l := range lines[1:] {
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			if !skipping {
				b.WriteString(l + "\r\n")
			}
			continue
		}
		name, _, _ := strings.Cut(l, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		skipping = name == "content-length" || name == "l"
		if !skipping {
			b.WriteString(l + "\r\n")
		}
	}
	b.WriteString("\r\n")
	msg, err := parser.ParseSIP([]byte(b.String()))
	if err != nil {
		return nil
	}
	req, ok := msg.(*sip.Request)
	if !ok || !answerable(parser, req) {
		return nil
	}
	if method, _, _ := strings.Cut(lines[0], " "); strings.EqualFold(method, string(sip.ACK)) || req.CSeq().MethodName == sip.ACK {
		return nil // nothing answers an ACK (RFC 3261 §17.2.3)
	}
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	res.SipVersion = sipVersion
	res.AppendHeader(sip.NewHeader("Warning", warning(399, printable(why, 120))))
	return res
}

// judgeRequestLine says how to refuse a request whose line sipgo could not
// read: 505 for another SIP version, 416 for an unknown URI scheme, else
// 400; why is empty when the line itself looks right.
func judgeRequestLine(line string) (code int, reason, why string) {
	parts := strings.Split(line, " ")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return sip.StatusBadRequest, "Bad Request", "malformed request line (RFC 3261 §7.1: method SP Request-URI SP SIP-Version)"
	}
	version, uri := parts[2], parts[1]
	if !strings.EqualFold(version, sipVersion) {
		if strings.HasPrefix(strings.ToUpper(version), "SIP/") {
			return sip.StatusVersionNotSupported, "Version Not Supported", ""
		}
		return sip.StatusBadRequest, "Bad Request", "malformed SIP version in the request line"
	}
	scheme, _, found := strings.Cut(uri, ":")
	switch {
	case !found || !validScheme(scheme):
		return sip.StatusBadRequest, "Bad Request", "the Request-URI is not a URI"
	case !strings.EqualFold(scheme, "sip") && !strings.EqualFold(scheme, "sips"):
		return statusUnsupportedURIScheme, "Unsupported URI Scheme", ""
	}
	return sip.StatusBadRequest, "Bad Request", ""
}

// printable keeps the text a Warning can carry: printable ASCII, at most n bytes.
func printable(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
