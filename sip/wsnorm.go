package sip

import (
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sipgo v1.7.2 keeps the blanks that RFC 3261's grammar allows around
// "/", ";", "=" and ":" (SLASH, SEMI, EQUAL, COLON are SWS-padded) inside
// parameter names and values, and loses the Via sent-by entirely:
//
//	Via: SIP/2.0/UDP 127.0.0.1:5000 ; branch = z9hG4bKabc   -> host "", no branch
//	From: <sip:a@b> ; tag = x1                            -> param "tag " = " x1"
//	CSeq: 1     INVITE                                    -> method "    INVITE"
//
// (RFC 4475 §3.1.1.1 "wsinv" has more). Transaction matching and dialog
// tags then fail and the 400 sipgo answers cannot be matched by anyone.
// newParser gives sipgo's parser header parsers that first take those
// blanks out, so such requests are understood as their senders meant.

// lwsHeaders are the headers whose values get their blanks normalised:
// every header sipgo parses into parameters.
var lwsHeaders = []string{"via", "v", "from", "f", "to", "t", "contact", "m",
	"route", "record-route", "refer-to", "r", "referred-by", "b"}

// newParser is sipgo's parser with the whitespace-tolerant header parsers.
func newParser() *sip.Parser {
	base := sip.DefaultHeadersParser() // sipgo's shared map: copy, never modify
	parsers := make(map[string]sip.HeaderParser, len(base))
	for name, p := range base {
		parsers[name] = p
	}
	for _, name := range lwsHeaders {
		if p, ok := base[name]; ok {
			parsers[name] = withoutSeparatorBlanks(p)
		}
	}
	if p, ok := base["cseq"]; ok {
		// CSeq = 1*DIGIT LWS Method: any run of blanks between the two.
		parsers["cseq"] = func(name []byte, value string) (sip.Header, error) {
			return p(name, strings.Join(strings.Fields(value), " "))
		}
	}
	return sip.NewParser(sip.WithHeadersParsers(parsers))
}

func withoutSeparatorBlanks(p sip.HeaderParser) sip.HeaderParser {
	return func(name []byte, value string) (sip.Header, error) {
		return p(name, normalizeLWS(value))
	}
}

// normalizeLWS removes the blanks around the separators / ; = : and
// collapses other runs of blanks to one, outside quoted strings and <>
// brackets, in each comma-separated element of a header value. The result
// has the same length with the commas in the same places (sipgo splits
// comma lists by index into the original text): each element is padded
// with blanks in front, which sipgo's parsers skip. A value with an
// unterminated quote or bracket comes back unchanged.
func normalizeLWS(v string) string {
	if !strings.ContainsAny(v, " \t") {
		return v
	}
	out := make([]byte, 0, len(v))
	start := 0
	inQuote, inAngle, escaped := false, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case c == ',' && !inAngle:
			out = appendCompacted(out, v[start:i])
			out = append(out, ',')
			start = i + 1
		}
	}
	if inQuote || inAngle || escaped {
		return v
	}
	return string(appendCompacted(out, v[start:]))
}

// appendCompacted appends elem compacted and padded in front to its length.
func appendCompacted(out []byte, elem string) []byte {
	c := compactElement(elem)
	for range len(elem) - len(c) {
		out = append(out, ' ')
	}
	return append(out, c...)
}

// compactElement is one element of a header value without the blanks
// around separators, runs of blanks collapsed, and trimmed. elem has
// balanced quotes and brackets.
func compactElement(elem string) string {
	var b strings.Builder
	b.Grow(len(elem))
	inQuote, inAngle, escaped := false, false, false
	pendingBlank := false // blanks seen outside quotes/brackets, not yet written
	for i := 0; i < len(elem); i++ {
		c := elem[i]
		if !inQuote && !inAngle && (c == ' ' || c == '\t') {
			pendingBlank = true
			continue
		}
		if !inQuote && !inAngle && isSeparator(c) {
			pendingBlank = false // drop blanks before it...
			b.WriteByte(c)
			for i+1 < len(elem) && (elem[i+1] == ' ' || elem[i+1] == '\t') {
				i++ // ...and after it
			}
			continue
		}
		if pendingBlank && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingBlank = false
		b.WriteByte(c)
		switch {
		case escaped:
			escaped = false
		case inQuote && c == '\\':
			escaped = true
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		}
	}
	return b.String()
}

// isSeparator: the characters RFC 3261 pads with SWS inside these headers.
func isSeparator(c byte) bool { return c == ';' || c == '=' || c == '/' || c == ':' }
