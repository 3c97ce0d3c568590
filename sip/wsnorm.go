package sip

import (
	"reflect"
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
//	To: sip:a@b ; tag = x1                                -> "invalid uri scheme"
//
// (RFC 4475 §3.1.1.1 "wsinv" has them all). Transaction matching and dialog
// tags then fail, the 400 sipgo answers cannot be matched by anyone, and a
// header sipgo cannot parse loses the whole message (over TCP, the whole
// connection). newParser gives sipgo's parser header parsers that first
// take those blanks out, so such requests are understood as their senders
// meant.

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
		if p, ok := base[name]; ok && commaErrType != nil {
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

// withoutSeparatorBlanks hands sipgo's parser p the first element of a
// header value (up to a comma outside quotes and <>) without its blanks,
// and tells sipgo where the next element starts.
func withoutSeparatorBlanks(p sip.HeaderParser) sip.HeaderParser {
	return func(name []byte, value string) (sip.Header, error) {
		elem, comma := firstElement(value)
		h, err := p(name, compactElement(elem))
		if err != nil && reflect.TypeOf(err) == commaErrType {
			// sipgo found a comma we do not (an escaped quote, an
			// unbalanced one): its index is into our text, not the
			// value it slices. Its own reading of the value, then.
			return p(name, value)
		}
		if err != nil || comma < 0 {
			return h, err
		}
		return h, commaAt(comma)
	}
}

// sipgo's header parsers return an error of an unexported integer type,
// errComaDetected(i), to say "one value parsed; the next starts after the
// comma at i", and its header loop slices the value it holds at i. Our
// parsers hand sipgo's a shortened value, so the index must be ours:
// commaErrType is that type, learnt from sipgo's own Contact parser (nil
// if a sipgo upgrade changed it: TestParserReadsSpacedHeaders fails then,
// and the headers are parsed by sipgo's parsers alone).
var commaErrType = func() reflect.Type {
	contact, ok := sip.DefaultHeadersParser()["contact"]
	if !ok {
		return nil
	}
	_, err := contact([]byte("contact"), "<sip:a@b>,<sip:c@d>")
	if err == nil {
		return nil
	}
	t := reflect.TypeOf(err)
	if t.Kind() != reflect.Int || reflect.ValueOf(err).Int() != 9 {
		return nil
	}
	return t
}()

// commaAt is sipgo's "next element after the comma at i".
func commaAt(i int) error {
	v := reflect.New(commaErrType).Elem()
	v.SetInt(int64(i))
	return v.Interface().(error)
}

// firstElement splits a header value at its first comma outside quoted
// strings and <> brackets: the element before it, and the comma's index
// (-1 when there is none, or the quotes or brackets do not balance).
func firstElement(v string) (string, int) {
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
			return v[:i], i
		}
	}
	return v, -1
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
