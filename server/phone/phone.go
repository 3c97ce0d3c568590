// Package phone reads the "number" a PBX gives for a call party (a phone
// number, an extension, a short code, a SIP address, a withheld caller)
// into the one key the ticket server and the app's ticket client store,
// show and match on.
package phone

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// maxLen bounds what is parsed: longer text is no party address.
const maxLen = 256

// maxUser bounds a key: a user part longer than this is no caller id.
const maxUser = 64

// MinDigits: a plain dial string with fewer digits is an extension or a
// short code (2002, 3949, 112), kept as dialled, never read as a national
// number.
const MinDigits = 7

// Anonymous is the key of a caller who withheld their number. It matches
// no ticket: two withheld callers are not the same customer.
const Anonymous = "anonymous"

// Kind says what a party's key is.
type Kind int

// Kinds of party address.
const (
	// Invalid: nothing a PBX sends (control characters, too long).
	Invalid Kind = iota
	// Withheld: "anonymous", "Restricted", an empty caller id,
	// sip:anonymous@anonymous.invalid (RFC 3323); the key is Anonymous.
	Withheld
	// E164: a public phone number, written +CC… (E.164).
	E164
	// Extension: a dial string that is no public number: an extension, a
	// short code, a feature code (*61), kept as dialled without separators.
	Extension
	// SIPUser: a SIP user that is a name (support, or sip:support@pbx.example):
	// the key is the user part, as the phone knows a caller (the PBX's
	// domain is the same for every party of the agent's calls).
	SIPUser
)

// withheld are the caller ids PBXs and carriers put for a withheld number
// (Asterisk, FreeSWITCH, carriers' CLIR), compared in lower case.
var withheld = map[string]bool{
	"": true, "anonymous": true, "restricted": true, "private": true, "withheld": true, "unavailable": true,
	"unknown": true, "blocked": true, "private number": true, "unknown number": true, "no caller id": true,
	"masqué": true, "numéro masqué": true, "inconnu": true, "anonyme": true,
}

// Canonical reads a call party's address: numbers without +country are
// read in region (ISO 3166); SIP and tel URIs are read for their user
// part. The key is what is stored, shown and looked up; two spellings of
// one party give one key.
func Canonical(raw, region string) (key string, kind Kind) {
	s := strings.TrimSpace(raw)
	if len(s) > maxLen || !printable(s) {
		return "", Invalid
	}
	if i, j := strings.IndexByte(s, '<'), strings.LastIndexByte(s, '>'); i >= 0 && j > i {
		s = strings.TrimSpace(s[i+1 : j]) // "Claire" <sip:0612345678@pbx>
	}
	if withheld[strings.ToLower(s)] {
		return Anonymous, Withheld
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "sip:") || strings.HasPrefix(lower, "sips:"):
		return sipURI(s[strings.IndexByte(s, ':')+1:], region)
	case strings.HasPrefix(lower, "tel:"):
		return dialString(cutParams(s[len("tel:"):]), region)
	}
	if strings.ContainsRune(s, '@') {
		return sipURI(s, region)
	}
	if k, kind := dialString(s, region); kind != Invalid {
		return k, kind
	}
	if validUser(s) {
		return s, SIPUser
	}
	return "", Invalid
}

// sipURI reads user@host[;params][?headers] (the scheme taken off): the
// party is its user part, as the phone reports a caller.
func sipURI(rest, region string) (string, Kind) {
	user, host, found := strings.Cut(rest, "@")
	if !found {
		// sip:pbx.example: no user, so no caller id at all.
		return Anonymous, Withheld
	}
	user = cutParams(user) // a user part may carry ;isub= or ;phone-context=
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	host = strings.ToLower(cutParams(host))
	if withheld[strings.ToLower(user)] || host == "anonymous.invalid" {
		return Anonymous, Withheld
	}
	if k, kind := dialString(user, region); kind != Invalid {
		return k, kind
	}
	if !validUser(user) || host == "" {
		return "", Invalid
	}
	return user, SIPUser
}

// cutParams drops URI parameters and headers.
func cutParams(s string) string {
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// dialString reads digits with an optional leading + and * or #, written
// with the separators people use (spaces, dots, dashes, brackets, slashes).
func dialString(s, region string) (string, Kind) {
	var b strings.Builder
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && i == strings.IndexRune(s, '+'):
			b.WriteRune(r)
		case r == '*' || r == '#':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '/' || unicode.IsSpace(r):
		default:
			return "", Invalid
		}
	}
	d := b.String()
	if digits == 0 || len(d) > maxUser {
		return "", Invalid
	}
	if strings.ContainsAny(d, "*#") || (digits < MinDigits && d[0] != '+') {
		return d, Extension
	}
	if e, ok := e164(d, region); ok {
		// Only a form that reads as itself is a key (the library drops
		// some zeros on each pass over odd numbers such as +4900000000).
		if again, ok := e164(e, region); ok && again == e {
			return e, E164
		}
	}
	// Digits no numbering plan knows (a PBX's long internal code, a
	// local-only number): kept as dialled.
	return d, Extension
}

// e164 formats d when it is a possible number with its area code.
func e164(d, region string) (string, bool) {
	n, err := phonenumbers.Parse(d, region)
	if err != nil || phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// validUser is a SIP user name: RFC 3261 unreserved characters and the
// user-unreserved ones, nothing else.
func validUser(s string) bool {
	if s == "" || len(s) > maxUser {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		// Not , ; ?: ticket phones are stored comma-separated, and ; ? start
		// a URI's parameters and headers.
		case strings.ContainsRune("-_.!~*'()&=+$/%", r):
		default:
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for _, r := range s {
		if r < ' ' || r == 0x7f || r == unicode.ReplacementChar {
			return false
		}
	}
	return true
}

// Normalize returns number in E.164, reading it in region (ISO 3166 country
// code) when it has no +country prefix; ok is false when it is no public
// phone number (see Canonical for every other kind of party).
func Normalize(number, region string) (e164 string, ok bool) {
	key, kind := Canonical(number, region)
	return key, kind == E164
}

// Matchable reports whether a key of this kind finds tickets: a withheld
// caller has none, whoever they are.
func (k Kind) Matchable() bool { return k == E164 || k == Extension || k == SIPUser }
